import { createReadStream, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { Readable } from 'node:stream';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError, Option } from 'commander';
import { loadCliConfig } from '#config';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** The environment to read defaults from (tests pass their own); the process's by default. */
  env?: Record<string, string | undefined>;
}

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

  /** A request to the Admin API: JSON, or a streamed upload (`upload`) with its content type. */
  const call = async (method: string, path: string, body?: unknown, upload?: { stream: Readable; contentType: string }): Promise<Json> => {
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
          ...(upload ? { 'Content-Type': upload.contentType } : body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: upload ? (Readable.toWeb(upload.stream) as ReadableStream) : body === undefined ? undefined : JSON.stringify(body),
        ...(upload ? { duplex: 'half' } : {}),
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

  const print = (value: Json, human: () => string) => io.out((program.opts<GlobalOptions>().json ? JSON.stringify(value, null, 2) : human()) + '\n');
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
    print(r, () => (r.accounts as Json[]).map((a) => `${String(a.slug)}\t${String(a.plan)}\t${String(a.status)}\t${String(a.name)}`).join('\n') || '(no accounts)');
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
        ...(o.assignedClients !== undefined ? { assigned_clients: o.assignedClients.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
      });
      print(u, () => `created user ${String(u.username)} (${String(u.role)}) in ${account}`);
    });
  users.command('list <account>').action(async (account: string) => {
    const r = await call('GET', `/admin/accounts/${seg(account)}/users`);
    print(r, () => (r.users as Json[]).map((u) => `${String(u.username)}\t${String(u.email)}\t${String(u.role)}\t${u.active ? 'active' : 'inactive'}`).join('\n') || '(no users)');
  });
  users
    .command('update <account> <username>')
    .option('--email <email>')
    .addOption(new Option('--role <role>').choices(ROLES))
    .option('--password <password>')
    .option('--assigned-clients <names>', 'comma-separated client names')
    .addOption(new Option('--active <bool>').choices(['true', 'false']))
    .action(async (account: string, username: string, o: { email?: string; role?: string; password?: string; assignedClients?: string; active?: string }) => {
      const u = await call('PATCH', `/admin/accounts/${seg(account)}/users/${seg(username)}`, {
        email: o.email,
        role: o.role,
        password: o.password,
        assigned_clients: o.assignedClients?.split(',').map((s) => s.trim()).filter(Boolean),
        active: o.active === undefined ? undefined : o.active === 'true',
      });
      print(u, () => `updated user ${String(u.username)}`);
    });

  const keys = program.command('keys').description("a user's API keys");
  keys.command('create <account> <username> <name>').action(async (account: string, username: string, name: string) => {
    const k = await call('POST', `/admin/accounts/${seg(account)}/users/${seg(username)}/keys`, { name });
    print(k, () => `${String(k.key)}\n(key '${name}' for ${username}: shown this once, store it now)`);
  });
  keys.command('list <account> <username>').action(async (account: string, username: string) => {
    const r = await call('GET', `/admin/accounts/${seg(account)}/users/${seg(username)}/keys`);
    print(r, () =>
      (r.keys as Json[])
        .map((k) => `${String(k.name)}\t${String(k.prefix)}…\tcreated ${String(k.created_at)}\t${k.revoked_at ? `revoked ${String(k.revoked_at)}` : `last used ${String(k.last_used_at ?? 'never')}`}`)
        .join('\n') || '(no keys)',
    );
  });
  keys.command('revoke <account> <username> <name>').action(async (account: string, username: string, name: string) => {
    const r = await call('DELETE', `/admin/accounts/${seg(account)}/users/${seg(username)}/keys/${seg(name)}`);
    print(r, () => `revoked key '${name}' of ${username} at ${String(r.revoked_at)}`);
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
      const upload = kind === '.csv' ? { stream: withProgress(createReadStream(file), size, io), contentType: 'text/csv' } : multipartFile(file, size, io);
      const r = await call('POST', `/admin/accounts/${seg(account)}/spreadsheets/${seg(sheet)}/import?${query}`, undefined, upload);
      print(r, () => `imported ${String(r.rows)} rows into '${String(r.sheet_name)}' ${String(r.year)}${r.replaced ? ' (replaced the previous table)' : ''}`);
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
 * Counts bytes as they leave; past one second of transfer, shows a progress bar on stderr (a terminal only: piped
 * output stays clean).
 */
function withProgress(source: Readable, total: number, io: CliIo): Readable {
  const started = Date.now();
  let sent = 0;
  let bar: SingleBar | undefined;
  const interactive = io.err === writeToStderr && process.stderr.isTTY;
  source.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    if (!bar && interactive && Date.now() - started > 1000) {
      bar = new SingleBar({ format: 'uploading [{bar}] {percentage}% {value}/{total} bytes', stream: process.stderr });
      bar.start(total, sent);
    }
    bar?.update(sent);
  });
  source.on('end', () => bar?.stop());
  source.on('error', () => bar?.stop());
  return source;
}

/** A one-part multipart body (`file`) streamed from disk. */
function multipartFile(file: string, size: number, io: CliIo): { stream: Readable; contentType: string } {
  const boundary = `plangate${Date.now().toString(16)}`;
  const name = basename(file).replace(/["\\\r\n]/g, '_');
  async function* parts() {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    yield* withProgress(createReadStream(file), size, io);
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return { stream: Readable.from(parts()), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The real stderr writer: the progress bar is drawn only for it, never into a test's captured output. */
export const writeToStderr = (t: string): void => {
  process.stderr.write(t);
};
