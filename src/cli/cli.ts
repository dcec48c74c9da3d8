import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError, Option } from 'commander';
import { loadCliConfig } from '#config';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** The environment to read defaults from (tests pass their own); the process's by default. */
  env?: Record<string, string | undefined>;
  /** Where a progress bar is drawn (the terminal's stderr); without one, progress goes to `err` as plain lines. */
  progressStream?: NodeJS.WriteStream;
  /** Progress shows for uploads longer than this (1 s; tests pass 0). */
  progressAfterMs?: number;
}

/** `import-events` sends this many events per Admin API call (its limit). */
const EVENTS_PER_CALL = 5000;
/** Uploads that take longer than this get a progress bar. */
const PROGRESS_AFTER_MS = 1000;
const UPLOAD_PIECE_BYTES = 64 * 1024;

/** A failure the CLI reports in one line (exit 1). */
class CliFailure extends Error {}

const ROLES = ['admin', 'tpa editor', 'recordkeeper', 'advisor', 'plan sponsor'];

interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

type Json = Record<string, unknown>;

/**
 * `npm run cli -- <command>`: a client of the Admin API for people who would rather not write curl.
 * Exit codes: 0 ok, 1 failure (the API said no, or could not be reached), 2 usage.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = new Command('plangate')
    .description('Plangate operator CLI (a client of the Admin API)')
    .option('--url <url>', 'gateway base URL (PLANGATE_URL, default http://localhost:$PORT)')
    .option('--token <token>', 'admin token (ADMIN_TOKEN, else DATA_DIR/admin-token)')
    .option('--json', 'print the API answer as JSON')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');

  /** A request to the Admin API: a JSON body, or a streamed one (`ReadableStream`) of that length and type. */
  const call = async (method: string, path: string, body?: unknown, streamed?: { length: number; contentType: string }): Promise<Json> => {
    const opts = program.opts<GlobalOptions>();
    const defaults = loadCliConfig(io.env);
    const url = (opts.url ?? defaults.url).replace(/\/+$/, '');
    const token = opts.token ?? defaults.token;
    if (!token) throw new CliFailure('no admin token: pass --token, set ADMIN_TOKEN, or run where DATA_DIR/admin-token is');
    let res: Response;
    try {
      res = await fetch(url + path, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': streamed?.contentType ?? 'application/json' }),
          ...(streamed ? { 'Content-Length': String(streamed.length) } : {}),
        },
        body: body === undefined ? undefined : streamed ? body : JSON.stringify(body),
        ...(streamed ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (e) {
      throw new CliFailure(`cannot reach ${url}: ${(e as { cause?: { code?: string } }).cause?.code ?? String(e)}`);
    }
    const text = await res.text();
    let parsed: Json;
    try {
      parsed = text ? (JSON.parse(text) as Json) : {};
    } catch {
      throw new CliFailure(`${method} ${path}: HTTP ${res.status} (not JSON)`);
    }
    if (!res.ok) {
      const error = (parsed.error ?? {}) as { message?: string; details?: { field: string; issue: string }[] };
      const details = error.details?.map((d) => `${d.field}: ${d.issue}`).join('; ');
      throw new CliFailure(`${error.message ?? `HTTP ${res.status}`}${details ? ` (${details})` : ''}`);
    }
    return parsed;
  };

  /**
   * A body streamed in pieces (from memory or from disk), so that `sent` reports the bytes on their way (progress of
   * an upload).
   */
  const upload = (
    method: string,
    path: string,
    content: { pieces: AsyncIterable<Buffer> | Iterable<Buffer>; length: number; contentType: string },
    sent: (bytes: number) => void,
  ): Promise<Json> => {
    const iterator = (
      Symbol.asyncIterator in content.pieces ? content.pieces[Symbol.asyncIterator]() : content.pieces[Symbol.iterator]()
    ) as AsyncIterator<Buffer> | Iterator<Buffer>;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) return controller.close();
        sent(next.value.length);
        controller.enqueue(next.value);
      },
    });
    return call(method, path, body, { length: content.length, contentType: content.contentType });
  };

  const print = (value: Json, human: () => string) =>
    io.out((program.opts<GlobalOptions>().json ? JSON.stringify(value, null, 2) : human()) + '\n');
  const seg = encodeURIComponent;

  const accounts = program.command('accounts').description('accounts (tenants)');
  accounts
    .command('create <slug>')
    .requiredOption('--name <name>', 'display name')
    .addOption(new Option('--plan <plan>', 'plan').choices(['free', 'basic', 'pro', 'premium']))
    .action(async (slug: string, o: { name: string; plan?: string }) => {
      const a = await call('POST', '/admin/accounts', { slug, name: o.name, ...(o.plan ? { plan: o.plan } : {}) });
      print(a, () => `created account ${String(a.slug)} (${String(a.plan)})`);
    });
  accounts.command('list').action(async () => {
    const r = await call('GET', '/admin/accounts');
    print(
      r,
      () =>
        (r.accounts as Json[]).map((a) => `${String(a.slug)}\t${String(a.plan)}\t${String(a.status)}\t${String(a.name)}`).join('\n') ||
        '(no accounts)',
    );
  });
  accounts.command('show <slug>').action(async (slug: string) => {
    const a = await call('GET', `/admin/accounts/${seg(slug)}`);
    print(a, () => JSON.stringify(a, null, 2));
  });
  accounts
    .command('update <slug>')
    .option('--name <name>')
    .addOption(new Option('--plan <plan>').choices(['free', 'basic', 'pro', 'premium']))
    .addOption(new Option('--status <status>').choices(['active', 'disabled']))
    .option('--settings <json>', 'settings patch as JSON, e.g. \'{"plansync":{"requests_per_minute":120}}\'')
    .action(async (slug: string, o: { name?: string; plan?: string; status?: string; settings?: string }) => {
      let settings: unknown;
      if (o.settings !== undefined) {
        try {
          settings = JSON.parse(o.settings);
        } catch {
          throw new CommanderError(2, 'usage', '--settings must be JSON');
        }
      }
      const a = await call('PATCH', `/admin/accounts/${seg(slug)}`, { name: o.name, plan: o.plan, status: o.status, settings });
      print(a, () => `updated account ${String(a.slug)}`);
    });

  const users = program.command('users').description("an account's users");
  users
    .command('create <account> <username>')
    .requiredOption('--email <email>')
    .addOption(new Option('--role <role>').choices(ROLES).default('admin'))
    .option('--password <password>', 'at least 12 characters (for Planpoint and Planfix logins)')
    .option('--assigned-clients <names>', 'comma-separated client names')
    .action(async (account: string, username: string, o: { email: string; role: string; password?: string; assignedClients?: string }) => {
      const u = await call('POST', `/admin/accounts/${seg(account)}/users`, {
        username,
        email: o.email,
        role: o.role,
        ...(o.password ? { password: o.password } : {}),
        ...(o.assignedClients !== undefined
          ? {
              assigned_clients: o.assignedClients
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            }
          : {}),
      });
      print(u, () => `created user ${String(u.username)} (${String(u.role)}) in ${account}`);
    });
  users.command('list <account>').action(async (account: string) => {
    const r = await call('GET', `/admin/accounts/${seg(account)}/users`);
    print(
      r,
      () =>
        (r.users as Json[])
          .map((u) => `${String(u.username)}\t${String(u.email)}\t${String(u.role)}\t${u.active ? 'active' : 'inactive'}`)
          .join('\n') || '(no users)',
    );
  });
  users
    .command('update <account> <username>')
    .option('--email <email>')
    .addOption(new Option('--role <role>').choices(ROLES))
    .option('--password <password>')
    .option('--assigned-clients <names>', 'comma-separated client names')
    .addOption(new Option('--active <bool>').choices(['true', 'false']))
    .action(
      async (
        account: string,
        username: string,
        o: { email?: string; role?: string; password?: string; assignedClients?: string; active?: string },
      ) => {
        const u = await call('PATCH', `/admin/accounts/${seg(account)}/users/${seg(username)}`, {
          email: o.email,
          role: o.role,
          password: o.password,
          assigned_clients: o.assignedClients
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          active: o.active === undefined ? undefined : o.active === 'true',
        });
        print(u, () => `updated user ${String(u.username)}`);
      },
    );

  const keys = program.command('keys').description("a user's API keys");
  keys.command('create <account> <username> <name>').action(async (account: string, username: string, name: string) => {
    const k = await call('POST', `/admin/accounts/${seg(account)}/users/${seg(username)}/keys`, { name });
    print(k, () => `${String(k.key)}\n(key '${name}' for ${username}: shown this once, store it now)`);
  });
  keys.command('list <account> <username>').action(async (account: string, username: string) => {
    const r = await call('GET', `/admin/accounts/${seg(account)}/users/${seg(username)}/keys`);
    print(
      r,
      () =>
        (r.keys as Json[])
          .map(
            (k) =>
              `${String(k.name)}\t${String(k.prefix)}…\tcreated ${String(k.created_at)}\t${k.revoked_at ? `revoked ${String(k.revoked_at)}` : `last used ${String(k.last_used_at ?? 'never')}`}`,
          )
          .join('\n') || '(no keys)',
    );
  });
  keys.command('revoke <account> <username> <name>').action(async (account: string, username: string, name: string) => {
    const r = await call('DELETE', `/admin/accounts/${seg(account)}/users/${seg(username)}/keys/${seg(name)}`);
    print(r, () => `revoked key '${name}' of ${username} at ${String(r.revoked_at)}`);
  });

  program
    .command('import-events <account> <file>')
    .description(
      'load Forward Planner events (a JSON array of events as docs/forward-planner.md shows them) in calls of 5,000; upsert by itemId',
    )
    .action(async (account: string, file: string) => {
      let events: unknown;
      try {
        events = JSON.parse(await readFile(file, 'utf8'));
      } catch (e) {
        throw new CliFailure(`cannot read ${file}: ${(e as Error).message}`);
      }
      if (!Array.isArray(events)) throw new CliFailure(`${file} must hold a JSON array of events`);
      if (events.length === 0) throw new CliFailure(`${file} holds no event`);
      const chunks: Buffer[] = [];
      for (let i = 0; i < events.length; i += EVENTS_PER_CALL)
        chunks.push(Buffer.from(JSON.stringify(events.slice(i, i + EVENTS_PER_CALL))));
      const progress = new UploadProgress(
        io,
        chunks.reduce((n, c) => n + c.length, 0),
      );
      const total = { inserted: 0, updated: 0, unchanged: 0, ignored_fields: [] as string[] };
      try {
        for (const [i, chunk] of chunks.entries()) {
          let r: Json;
          try {
            r = await upload('POST', `/admin/accounts/${seg(account)}/events`, jsonPieces(chunk), (bytes) => progress.add(bytes));
          } catch (e) {
            const first = i * EVENTS_PER_CALL + 1;
            const done = i ? ` (events 1-${first - 1} were imported)` : '';
            throw new CliFailure(`events ${first}-${Math.min(first + EVENTS_PER_CALL - 1, events.length)}: ${(e as Error).message}${done}`);
          }
          total.inserted += Number(r.inserted);
          total.updated += Number(r.updated);
          total.unchanged += Number(r.unchanged);
          total.ignored_fields = [...new Set([...total.ignored_fields, ...(r.ignored_fields as string[])])].sort();
        }
      } finally {
        progress.stop();
      }
      print(total, () =>
        [
          `imported ${events.length} events into ${account}: ${total.inserted} inserted, ${total.updated} updated, ${total.unchanged} unchanged`,
          ...(total.ignored_fields.length ? [`ignored fields: ${total.ignored_fields.join(', ')}`] : []),
        ].join('\n'),
      );
    });

  program
    .command('import-sheet <account> <sheet> <year> <file>')
    .description('load a sheet-year table from a .csv or .xlsx file (replaces that year atomically)')
    .option('--client-column <column>', 'the client column, to register a sheet not yet in the catalogue')
    .option('--worksheet <name>', 'XLSX: the worksheet to read (default: the first)')
    .action(async (account: string, sheet: string, year: string, file: string, o: { clientColumn?: string; worksheet?: string }) => {
      const kind = extname(file).toLowerCase();
      if (kind !== '.csv' && kind !== '.xlsx') throw new CommanderError(2, 'usage', 'the file must be .csv or .xlsx');
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        throw new CliFailure(`cannot read ${file}`);
      }
      const query = new URLSearchParams({ year });
      if (o.clientColumn) query.set('client_column', o.clientColumn);
      if (o.worksheet) query.set('worksheet', o.worksheet);
      const content =
        kind === '.csv' ? { pieces: createReadStream(file), length: size, contentType: 'text/csv' } : multipartFile(file, size);
      const progress = new UploadProgress(io, content.length);
      let r: Json;
      try {
        r = await upload('POST', `/admin/accounts/${seg(account)}/spreadsheets/${seg(sheet)}/import?${query}`, content, (bytes) =>
          progress.add(bytes),
        );
      } finally {
        progress.stop();
      }
      print(
        r,
        () =>
          `imported ${String(r.rows)} rows into '${String(r.sheet_name)}' ${String(r.year)}${r.replaced ? ' (replaced the previous table)' : ''}`,
      );
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CliFailure) {
      io.err(`error: ${e.message}\n`);
      return 1;
    }
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      if (e.code === 'usage') io.err(`error: ${e.message}\n`);
      return 2;
    }
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/**
 * Progress of an upload, shown only once it has taken longer than a second: a bar on a terminal, else a plain line
 * per tenth on the error output (so that logs of scripted runs show it too).
 */
class UploadProgress {
  private readonly started = Date.now();
  private sent = 0;
  private bar?: SingleBar;
  private lastTenth = -1;

  constructor(
    private readonly io: CliIo,
    private readonly totalBytes: number,
  ) {}

  add(bytes: number): void {
    this.sent += bytes;
    if (Date.now() - this.started < (this.io.progressAfterMs ?? PROGRESS_AFTER_MS)) return;
    if (this.io.progressStream?.isTTY) {
      if (!this.bar) {
        this.bar = new SingleBar({
          stream: this.io.progressStream,
          format: 'uploading [{bar}] {percentage}% | {value}/{total} KiB | {duration}s',
          hideCursor: true,
        });
        this.bar.start(Math.ceil(this.totalBytes / 1024), 0);
      }
      this.bar.update(Math.ceil(this.sent / 1024));
      return;
    }
    const tenth = Math.floor((this.sent / this.totalBytes) * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.io.err(`uploading: ${tenth * 10}% (${Math.ceil(this.sent / 1024)} of ${Math.ceil(this.totalBytes / 1024)} KiB)\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}

/** A JSON body in pieces of UPLOAD_PIECE_BYTES. */
function jsonPieces(json: Buffer): { pieces: Iterable<Buffer>; length: number; contentType: string } {
  function* pieces() {
    for (let offset = 0; offset < json.length; offset += UPLOAD_PIECE_BYTES) yield json.subarray(offset, offset + UPLOAD_PIECE_BYTES);
  }
  return { pieces: pieces(), length: json.length, contentType: 'application/json' };
}

/** A one-part multipart body (`file`) streamed from disk, with its exact length. */
function multipartFile(file: string, size: number): { pieces: AsyncIterable<Buffer>; length: number; contentType: string } {
  const boundary = `plangate${Date.now().toString(16)}`;
  const name = basename(file).replace(/["\\\r\n]/g, '_');
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* pieces() {
    yield head;
    for await (const chunk of createReadStream(file)) yield chunk as Buffer;
    yield tail;
  }
  return { pieces: pieces(), length: head.length + size + tail.length, contentType: `multipart/form-data; boundary=${boundary}` };
}
