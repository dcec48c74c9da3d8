import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The built gateway in its own process (pinned to core 0 where taskset exists), on a fresh store. */
export class GatewayProcess {
  private child?: ChildProcess;
  url = '';
  pid = 0;

  constructor(private readonly env: Record<string, string>) {}

  /** `profileDir`: the gateway writes a V8 CPU profile there when it stops (node --cpu-prof). */
  async start(pinned: boolean, profileDir?: string): Promise<void> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'plangate-bench-gw-'));
    const args = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'dist/src/main.js'];
    const [cmd, argv] = pinned ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
    this.child = spawn(cmd, argv, {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_TOKEN: BENCH_ADMIN_TOKEN, BENCH_BASELINE: 'true', SEED_DEMO: 'false', LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.pid = this.child.pid!;
    this.url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${this.url}/health`)).ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the gateway did not come up within 60 s');
  }

  /** Resident set size of the gateway process, in bytes (Linux /proc). */
  rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child!.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** A call to the gateway's Admin API; throws on a non-2xx answer. */
export async function adminCall(url: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': contentType }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
}
