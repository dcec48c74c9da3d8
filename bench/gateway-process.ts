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

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface GatewayProcessOptions {
  /** Reuse a DATA_DIR (a restart after a crash); default a fresh temp folder. */
  dataDir?: string;
  /** Run the bench's gateway, which has the bare baseline routes (bench/baseline-gateway.ts). Default true. */
  baseline?: boolean;
  /** The child's stderr: shown (bench) or kept in `output` (tests, which print it only when they fail). */
  stderr?: 'inherit' | 'capture';
  /** Pin the gateway to core 0 with taskset. */
  pinned?: boolean;
  /** Listen on this port at every start (a restarted instance keeps its place behind a load balancer); default a free one. */
  port?: number;
}

/**
 * The built gateway in its own process (`dist/src/main.js`, or `dist/bench/baseline-gateway.js` with the baseline
 * routes), on a fresh store unless given a DATA_DIR.
 */
export class GatewayProcess {
  private child?: ChildProcess;
  url = '';
  pid = 0;
  dataDir = '';
  /** Captured stderr and stdout (with `stderr: 'capture'`). */
  output = '';
  /** Settles when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = new Promise(() => undefined);

  constructor(
    private readonly env: Record<string, string>,
    private readonly options: GatewayProcessOptions = {},
  ) {}

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** `profileDir`: the gateway writes a V8 CPU profile there when it stops (node --cpu-prof). */
  async start(pinned = this.options.pinned ?? false, profileDir?: string): Promise<void> {
    const port = this.options.port ?? (await freePort());
    // a restart of this instance keeps its folder
    this.dataDir ||= this.options.dataDir ?? mkdtempSync(join(tmpdir(), 'plangate-gw-'));
    const entry = (this.options.baseline ?? true) ? 'dist/bench/baseline-gateway.js' : 'dist/src/main.js';
    const args = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), entry];
    const [cmd, argv] = pinned ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
    const capture = this.options.stderr === 'capture';
    this.child = spawn(cmd, argv, {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: this.dataDir,
        ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'info',
        ...this.env,
      },
      stdio: ['ignore', capture ? 'pipe' : 'ignore', capture ? 'pipe' : 'inherit'],
    });
    const child = this.child;
    if (capture)
      for (const s of [child.stdout!, child.stderr!])
        s.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.pid = child.pid!;
    this.url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the gateway exited during its start: ${this.output}`);
      try {
        if ((await fetch(`${this.url}/health`)).ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the gateway did not come up within 60 s: ${this.output}`);
  }

  /** Resident set size of the gateway process, in bytes (Linux /proc). */
  rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  }

  /** Sends a signal and waits for the exit. */
  async signal(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.child) return { code: null, signal: null };
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  async stop(): Promise<void> {
    if (this.running) await this.signal('SIGTERM');
  }
}

/**
 * The gateway's own account of its request time for one protocol label (`plangate_http_request_duration_seconds`
 * on /metrics): take one reading before a phase and one after, and `serverTimeBetween` gives the mean time the
 * server spent per request in between, from the first byte read to the last byte written.
 */
export async function requestTimeReading(url: string, protocol: string): Promise<{ sum: number; count: number }> {
  const res = await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } });
  const text = await res.text();
  const read = (what: 'sum' | 'count') => {
    const line = text.split('\n').find((l) => l.startsWith(`plangate_http_request_duration_seconds_${what}{protocol="${protocol}"}`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  return { sum: read('sum'), count: read('count') };
}

/** Mean server time per request (ms) between two readings. */
export function serverTimeBetween(before: { sum: number; count: number }, after: { sum: number; count: number }): number {
  const n = after.count - before.count;
  return n > 0 ? ((after.sum - before.sum) * 1000) / n : NaN;
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
