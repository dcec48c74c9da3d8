import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../bench/gateway-process.js';

/** Resolves when a TCP port accepts connections. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = createConnection(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > end) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A PostgreSQL server of the test's own (initdb into a temp folder, a free port, trust auth on 127.0.0.1), which the
 * test may stop and start for real without touching the shared server. Runs as the `postgres` OS user when we are
 * root (PostgreSQL refuses to run as root).
 */
export class PrivatePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'plangate-private-pg-'));
  port = 0;

  private readonly bin = (() => {
    const root = '/usr/lib/postgresql';
    const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
    return join(root, version, 'bin');
  })();

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Runs a PostgreSQL tool without blocking the event loop: the test's load goes on meanwhile. */
  private async run(tool: string, args: string[]): Promise<void> {
    const asRoot = userInfo().uid === 0;
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(this.bin, tool), ...args]] : [join(this.bin, tool), args];
    await promisify(execFile)(cmd, argv, { timeout: 60_000 });
  }

  async init(): Promise<void> {
    if (userInfo().uid === 0) execFileSync('chown', ['postgres:', this.dir]);
    await this.run('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    this.port = await freePort();
    await this.start();
  }

  async start(): Promise<void> {
    // fsync off and a small footprint: a throwaway server on a shared machine
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB -c max_connections=40`;
    await this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-o', opts, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
    await waitForPort(this.port, 10_000);
  }

  /** `fast`: clients disconnected, clean shutdown; `immediate`: as after a crash. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined); // not running
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Redis server of the test's own (no persistence), which the test may kill. */
export class PrivateRedis {
  private child?: ChildProcess;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitForPort(this.port, 10_000);
  }

  /** How many keys it holds (redis-cli DBSIZE). */
  async size(): Promise<number> {
    const { stdout } = await promisify(execFile)('redis-cli', ['-p', String(this.port), 'dbsize']);
    return Number(stdout.trim());
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}
