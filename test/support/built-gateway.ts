import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
export async function startBuiltGateway(env: Record<string, string> = {}): Promise<BuiltGateway> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first (CI builds before the tests)`);
  const dir = mkdtempSync(join(tmpdir(), 'plangate-fresh-'));
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
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
