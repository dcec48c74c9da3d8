import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminCall, BENCH_ADMIN_TOKEN, freePort, GatewayProcess } from '../../bench/gateway-process.js';
import { PROTOCOLS, provisionAccount, uploadFile, Workload, type Answer } from '../../bench/workload.js';
import { TOUCHPOINT_OBJECT } from '../factories/reverse-etl.factory.js';
import { ensureBuilt, ROOT } from '../support/built-gateway.js';
import { createScratchDatabase } from '../support/pg-admin.js';
import { TEST_RETL_ALLOW_HOSTS } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** HAProxy from Debian running deploy/haproxy.cfg as shipped, its addresses given through the environment. */
class Haproxy {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'plangate-haproxy-'));
  output = '';
  url = '';

  get socket(): string {
    return join(this.dir, 'haproxy.sock');
  }

  async start(backends: string[]): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn('haproxy', ['-db', '-f', join(ROOT, 'deploy', 'haproxy.cfg')], {
      env: {
        ...process.env,
        PLANGATE_LB_BIND: `127.0.0.1:${port}`,
        PLANGATE_GW1: backends[0],
        PLANGATE_GW2: backends[1],
        PLANGATE_GW3: backends[2],
        HAPROXY_STATS_SOCKET: this.socket,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const s of [this.child.stdout!, this.child.stderr!])
      s.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
    await until('HAProxy to listen', async () => (await this.stats().catch(() => undefined))?.length, 10_000);
  }

  /** The runtime API: one command, its whole answer. */
  private command(cmd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let text = '';
      const s = connect(this.socket, () => s.end(`${cmd}\n`));
      s.on('data', (c: Buffer) => (text += c.toString()));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
  }

  /** The backend's servers: name, status (UP, DOWN, ...), sessions served, retries and redispatches. */
  async stats(): Promise<{ name: string; status: string; sessions: number; retries: number; redispatches: number }[]> {
    const [header, ...rows] = (await this.command('show stat')).trim().split('\n');
    const cols = header.replace(/^# /, '').split(',');
    const at = (row: string[], col: string) => row[cols.indexOf(col)];
    return rows
      .map((r) => r.split(','))
      .filter((r) => at(r, 'pxname') === 'gateways' && /^gw\d$/.test(at(r, 'svname')))
      .map((r) => ({
        name: at(r, 'svname'),
        status: at(r, 'status'),
        sessions: Number(at(r, 'stot')),
        retries: Number(at(r, 'wretr')),
        redispatches: Number(at(r, 'wredis')),
      }));
  }

  async waitFor(server: string, status: 'UP' | 'DOWN'): Promise<void> {
    await until(
      `${server} ${status} in HAProxy`,
      async () => (await this.stats()).find((s) => s.name === server)?.status === status,
      20_000,
    );
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((r) => this.child!.once('exit', r));
      this.child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const haproxyInstalled = spawnSync('haproxy', ['-v']).status === 0;
const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.TEST_REDIS_URL;

/**
 * Issue 20: three built instances with separate DATA_DIRs on one PostgreSQL database and one Redis, behind HAProxy
 * running deploy/haproxy.cfg. A bounded mixed workload over all five protocols (and the Admin API) goes through the
 * balancer while each instance in turn is stopped with SIGTERM and started again: no request may fail. Then what
 * the instances must agree on: limits counted once across them, files, tokens and sessions made on one and used on
 * another, and a scheduled reverse-ETL run fired once and delivered once. `npm run test:topology` (in .ci/run).
 */
describe('three instances behind HAProxy', () => {
  let db: Awaited<ReturnType<typeof createScratchDatabase>>;
  const gateways: GatewayProcess[] = [];
  const lb = new Haproxy();
  const receiver = new WebhookReceiver();

  /** A sync that runs every minute, made once the instances are up: its first run falls in the rolling restart. */
  let scheduled: { retl: (method: string, path: string, body?: unknown) => Promise<any>; syncId: string; rows: number };
  async function scheduleSync() {
    const slug = `topo-retl-${randomBytes(3).toString('hex')}`;
    await adminCall(lb.url, 'POST', '/admin/accounts', { slug, name: 'Syncs', plan: 'pro' });
    await adminCall(lb.url, 'POST', `/admin/accounts/${slug}/users`, {
      username: `${slug}-u`,
      email: `${slug}@example.com`,
      role: 'admin',
    });
    const { key } = (await adminCall(lb.url, 'POST', `/admin/accounts/${slug}/users/${slug}-u/keys`, { name: 'k' })) as { key: string };
    const rows = 12;
    for (let i = 0; i < rows; i++) {
      const r = await fetch(`${lb.url}/api/v1/touchpoints?year=2025`, {
        method: 'POST',
        headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
        body: JSON.stringify({ company_name: `Company ${i}`, touchpoints: 'call', reporting_quarter: 'Q1', reporting_year: '2025' }),
      });
      if (r.status !== 200) throw new Error(`touchpoint: ${r.status}`);
    }
    const retl = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${lb.url}/api/reverse-etl${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await r.json()) as { data: any };
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
      return json.data;
    };
    const destination = await retl('POST', '/destinations', {
      name: 'hook',
      connector: 'webhook',
      config: { url: `http://127.0.0.1:${receiver.port}/topology`, batchSize: 5, objects: [TOUCHPOINT_OBJECT] },
    });
    const sync = await retl('POST', '/syncs', {
      name: 'every minute',
      sourceQuery: 'model:touchpoints',
      destinationId: destination.id,
      objectName: 'Touchpoints',
      fieldMappings: [
        { source: 'id', destination: 'external_id' },
        { source: 'company_name', destination: 'account_company' },
      ],
      syncMode: 'insert',
      schedule: { type: 'cron', expression: '* * * * *', timezone: 'UTC' },
    });
    scheduled = { retl, syncId: sync.id, rows };
  }

  beforeAll(async () => {
    if (!haproxyInstalled) throw new Error('haproxy is not installed (Debian: apt-get install haproxy); .ci/run installs it');
    if (!DATABASE_URL || !REDIS_URL) throw new Error('run through `npm run test:topology` (DATABASE_URL and TEST_REDIS_URL)');
    ensureBuilt();
    db = await createScratchDatabase(DATABASE_URL);
    await receiver.start();
    // Only what an operator of several instances sets: the database, Redis and the admin token. No JWT_SECRET: the
    // instances must agree on their secrets through the database.
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      TRUST_PROXY: 'loopback',
      RETL_ALLOW_HOSTS: TEST_RETL_ALLOW_HOSTS,
      LOG_LEVEL: 'warn',
    };
    for (let i = 0; i < 3; i++) gateways.push(new GatewayProcess(env, { baseline: false, stderr: 'capture', port: await freePort() }));
    await gateways[0].start(); // the first one migrates the new database
    await Promise.all(gateways.slice(1).map((g) => g.start()));
    await lb.start(gateways.map((g) => g.url.replace('http://', '')));
    for (const name of ['gw1', 'gw2', 'gw3']) await lb.waitFor(name, 'UP');
    await scheduleSync();
  }, 180_000);

  afterAll(async () => {
    for (const g of gateways) await g.signal('SIGKILL');
    await lb.stop();
    await receiver.stop();
    await db?.drop();
    for (const g of gateways) if (g.dataDir) rmSync(g.dataDir, { recursive: true, force: true });
  });

  /** What a failed test prints: each process's last words. */
  const lastWords = () =>
    [...gateways.map((g, i) => `--- gw${i + 1} (${g.running ? 'running' : 'exited'})\n${g.output}`), `--- haproxy\n${lb.output}`].join(
      '\n',
    );

  it('serves every request of a mixed load while each instance is restarted in turn (SIGTERM, start again)', async () => {
    // 40 keys: the load rotates over them, so that reverse ETL's 120 a minute per key is not what it measures
    const account = await provisionAccount(lb.url, { prefix: 'topology', keys: 40 });
    const before = await lb.stats();
    const load = new Workload(lb.url, account, { concurrency: 2, pauseMs: 5, writes: true, timeoutMs: 30_000 });
    let restarts = 0;
    try {
      await sleep(1500);
      for (const [i, gw] of gateways.entries()) {
        const name = `gw${i + 1}`;
        const pid = gw.pid;
        expect([name, await gw.signal('SIGTERM')]).toEqual([name, { code: 0, signal: null }]);
        await gw.start(); // the same port and DATA_DIR
        expect(gw.pid).not.toBe(pid);
        await lb.waitFor(name, 'UP');
        restarts++;
        await sleep(1000);
      }
      await sleep(1000);
    } finally {
      await load.stop();
    }
    const answers = load.answers;
    const failed = answers.filter((a) => !a.ok);
    const after = await lb.stats();
    const served = after.map((s) => s.sessions - (before.find((b) => b.name === s.name)?.sessions ?? 0));
    process.stdout.write(
      `topology: ${answers.length} requests through HAProxy, ${failed.length} failed, ${restarts} restarts; ` +
        `per instance ${served.join('/')}; retries ${after.map((s) => s.retries).join('/')}, ` +
        `redispatches ${after.map((s) => s.redispatches).join('/')}\n`,
    );
    const show = (a: Answer) => `${a.protocol} ${a.name} ${a.status} ${a.error ?? a.detail ?? ''} at ${a.at} ms`;
    if (failed.length) process.stderr.write(lastWords());
    expect(failed.map(show)).toEqual([]);
    expect(restarts).toBe(3);
    for (const protocol of PROTOCOLS)
      expect([protocol, answers.filter((a) => a.protocol === protocol).length > 20]).toEqual([protocol, true]);
    // the balancer spread the load over the three, each restarted one served again after its return
    expect(served.every((n) => n > 20)).toBe(true);
    expect(gateways.every((g) => g.running)).toBe(true);
  }, 240_000);

  it('counts a limit once across the instances: exactly 60 of 200 PlanSync requests of one key', async () => {
    const slug = `topo-limit-${randomBytes(3).toString('hex')}`;
    await adminCall(lb.url, 'POST', '/admin/accounts', { slug, name: 'Limits', plan: 'pro' });
    await adminCall(lb.url, 'POST', `/admin/accounts/${slug}/users`, {
      username: `${slug}-u`,
      email: `${slug}@example.com`,
      role: 'admin',
    });
    const { key } = (await adminCall(lb.url, 'POST', `/admin/accounts/${slug}/users/${slug}-u/keys`, { name: 'k' })) as { key: string };
    const statuses: number[] = [];
    // 10 at a time, round-robin over the three instances
    for (let i = 0; i < 200; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, () => fetch(`${lb.url}/api/v1/spreadsheets`, { headers: { 'X-API-Key': key } }).then((r) => r.status)),
      );
      statuses.push(...batch);
    }
    expect([statuses.filter((s) => s === 200).length, statuses.filter((s) => s === 429).length]).toEqual([60, 140]);
  }, 60_000);

  it('serves on one instance the files, tokens and sessions made on another', async () => {
    const [one, two, three] = gateways.map((g) => g.url);
    const slug = `topo-share-${randomBytes(3).toString('hex')}`;
    const username = `${slug}-u`;
    const password = 'topology password 123';
    await adminCall(one, 'POST', '/admin/accounts', { slug, name: 'Shared', plan: 'pro' });
    await adminCall(one, 'POST', `/admin/accounts/${slug}/users`, { username, email: `${slug}@example.com`, role: 'admin', password });
    const { key } = (await adminCall(two, 'POST', `/admin/accounts/${slug}/users/${username}/keys`, { name: 'k' })) as { key: string };

    // a file uploaded through one, downloaded byte for byte through another
    const upload = await uploadFile(one, key, 3 * 1024 * 1024 + 17, { filename: 'shared.pdf' });
    expect(upload.status).toBe(200);
    const { metadata } = (await upload.json()) as { metadata: { sha256: string; size: number } };
    const download = await fetch(`${two}/api/v1/files/shared.pdf`, { headers: { 'X-API-Key': key } });
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect([bytes.length, createHash('sha256').update(bytes).digest('hex')]).toEqual([metadata.size, metadata.sha256]);
    expect(metadata.size).toBe(3 * 1024 * 1024 + 17);

    // a Forward Planner access token issued by one, accepted by the others; its refresh token renewed on a third
    const auth = await fetch(`${one}/api/v2/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: key }),
    });
    expect(auth.status).toBe(200);
    const fp = (await auth.json()) as { token: string; refreshToken: string };
    for (const url of [two, three]) {
      expect((await fetch(`${url}/api/v2/categories`, { headers: { Authorization: `Bearer ${fp.token}` } })).status).toBe(200);
    }
    const renew = await fetch(`${three}/api/v2/auth/renew`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: fp.refreshToken }),
    });
    expect(renew.status).toBe(200);

    // a Planpoint token from one, accepted by another
    const login = await fetch(`${two}/api/users/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    expect(login.status).toBe(200);
    // docs/planpoint.md: the login answers `access_token`, and `GET /api/projects/mine` answers 201 (the SDK's code)
    const { access_token: token } = (await login.json()) as { access_token: string };
    expect(token).toMatch(/^eyJ/);
    expect((await fetch(`${three}/api/projects/mine`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(201);

    // a Planfix session opened on one, used on another
    const xml = (url: string, body: string, auth: string) =>
      fetch(`${url}/xml/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/xml', Authorization: `Basic ${Buffer.from(auth).toString('base64')}` },
        body,
      }).then((r) => r.text());
    const opened = await xml(
      three,
      `<request method="auth.login"><account>${slug}</account><login>${username}</login><password>${password}</password></request>`,
      `${key}:x`,
    );
    const sid = /<sid>([0-9a-f]{32})<\/sid>/.exec(opened)?.[1];
    expect(sid).toBeDefined();
    const listed = await xml(one, `<request method="task.getList"><account>${slug}</account><sid>${sid}</sid></request>`, `${key}:x`);
    expect(listed).toContain('status="ok"');

    // a Planfix signing key issued through one verifies on another (the key is sealed with the shared secret)
    const { signing_key: signingKey } = (await adminCall(one, 'POST', `/admin/accounts/${slug}/planfix/signing-key`)) as {
      signing_key: string;
    };
    await adminCall(two, 'PATCH', `/admin/accounts/${slug}`, { settings: { planfix: { strict_signature: true, rate_per_second: 0 } } });
    const inner = `<account>${slug}</account><sid>${sid}</sid>`;
    const signature = createHash('md5').update(`task.getList${slug}${sid}${signingKey}`).digest('hex');
    const signed = await xml(two, `<request method="task.getList">${inner}<signature>${signature}</signature></request>`, `${key}:x`);
    const unsigned = await xml(two, `<request method="task.getList">${inner}</request>`, `${key}:x`);
    expect([signed.includes('status="ok"'), unsigned.includes('status="ok"')]).toEqual([true, false]);
  }, 60_000);

  it('fires the scheduled reverse-ETL run once across the three instances and delivers each row once', async () => {
    const { retl, syncId, rows } = scheduled;
    // the first minute after beforeAll, seen by every instance's scan (every 15 s) while they were being restarted
    const runs = await until(
      'the scheduled run to finish',
      async () => {
        const list = (await retl('GET', `/runs?sync_id=${syncId}`)) as { attributes: { status: string; created_at: string } }[];
        return list.some((r) => r.attributes.status === 'succeeded') && list;
      },
      100_000,
      2_000, // polled every 2 s: the key's 120 requests a minute are the test's too
    );
    await retl('POST', '/sync/toggle', { syncId, enabled: false });
    // every instance has scanned since that minute began: a duplicate of its occurrence would be queued by now
    const occurrence = Math.floor(Date.parse(runs[0].attributes.created_at) / 60_000) * 60_000;
    await sleep(Math.max(0, occurrence + 16_000 - Date.now()));
    const all = (await retl('GET', `/runs?sync_id=${syncId}`)) as { attributes: { status: string; trigger: string } }[];
    expect(runs.length).toBe(1);
    expect(all.map((r) => [r.attributes.trigger, r.attributes.status])).toEqual([['schedule', 'succeeded']]);
    const delivered = receiver.rows.map((r) => String(r.external_id));
    expect(delivered.length).toBe(rows);
    expect(new Set(delivered).size).toBe(rows);
  }, 150_000);
});
