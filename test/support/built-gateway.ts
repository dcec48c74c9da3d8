import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createScratchDatabase } from './pg-admin.js';

export const ROOT = join(__dirname, '..', '..');

/**
 * Tests that run the built gateway: build it when missing or older than the sources (CI builds first), with the same
 * staleness rule as `npm test`'s pretest (scripts/build.mjs --if-stale).
 */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: ROOT, stdio: 'ignore', timeout: 240_000 });
}

/** The stores a gateway child can run on here: its embedded store always, PostgreSQL when DATABASE_URL is set. */
export const CHILD_STORES = ['embedded', ...(process.env.DATABASE_URL ? ['postgres' as const] : [])] as const;

/**
 * The store of a gateway child: on PostgreSQL a scratch database beside DATABASE_URL, so that no other test's
 * gateway shares its runs and counters; embedded: the child's own store under its DATA_DIR.
 */
export async function childStore(
  kind: 'embedded' | 'postgres' = process.env.DATABASE_URL ? 'postgres' : 'embedded',
): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (kind === 'embedded' || !process.env.DATABASE_URL) return { env: {}, drop: async () => undefined };
  const db = await createScratchDatabase(process.env.DATABASE_URL);
  return { env: { DATABASE_URL: db.url }, drop: () => db.drop() };
}

const MAIN = resolve(__dirname, '../../dist/src/main.js');

export interface BuiltGateway {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  /** The folder it was started in, as a newcomer's clone: `data/` (admin token, embedded store) is under it. */
  dir: string;
  /** Everything printed on stdout so far (the start banner, JSON log lines). */
  stdout(): string;
  stop(): Promise<void>;
}

/**
 * The built service (`npm run build`) as `npm start` runs it on a fresh clone: a new empty folder as the working
 * directory, no DATA_DIR, DATABASE_URL, ADMIN_TOKEN or JWT_SECRET (so the embedded store under ./data, generated
 * secrets and the demo account), listening on 127.0.0.1 port 0. Resolves once the start banner is printed.
 */
export async function startBuiltGateway(env: Record<string, string> = {}, options: { terminal?: boolean } = {}): Promise<BuiltGateway> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'plangate-fresh-'));
  // On a terminal (a pseudo-terminal made by util-linux's `script`), as a person at `npm start` sees it.
  const [command, args] = options.terminal ? ['script', ['-qfec', `${process.execPath} ${MAIN}`, '/dev/null']] : [process.execPath, [MAIN]];
  const child: ChildProcess = spawn(command, args, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  // what a terminal adds (carriage returns, colours) is left out, so that tests read the text
  // ESC starts the colour codes a terminal gets
  // eslint-disable-next-line no-control-regex -- that control character is what this removes
  const colours = /\x1b\[[0-9;]*m/g;
  const text = (c: Buffer) => (options.terminal ? c.toString('utf8').replace(/\r/g, '').replace(colours, '') : c.toString('utf8'));
  child.stdout!.on('data', (c: Buffer) => (out += text(c)));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no start banner within 90 s:\n${out}\n${err}`)), 90_000);
    const check = () => {
      const m = /^Plangate listening on (http:\/\/\S+)/m.exec(out);
      if (m && out.includes('API docs:')) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the gateway exited with ${code} before its banner:\n${out}\n${err}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    dir,
    stdout: () => out,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
