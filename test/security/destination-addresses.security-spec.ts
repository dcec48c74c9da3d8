import { mkdtempSync, rmSync } from 'node:fs';
import { type Server } from 'node:http';
import { createServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type request from 'supertest';
import { createAccountWithKey } from '../factories/admin.factory.js';
import { plansync } from '../factories/plansync.factory.js';
import { RETL_TEST_JWT_SECRET, retl, runSync, TOUCHPOINT_OBJECT, type RetlClient } from '../factories/reverse-etl.factory.js';
import { createScratchDatabase } from '../support/pg-admin.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ON_POSTGRES, startTestApp, type TestApp, type TestAppOptions } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Reverse-ETL destinations as an account's admin would aim them at the gateway's own network (issue #17): addresses
 * are judged on what the driver really uses, metadata services are never reached, loopback and private networks only
 * through the operator's RETL_ALLOW_HOSTS, and a receiver's error page is never shown. Every refusal happens before
 * any connection: the listeners here count connections, and the only addresses connected to are loopback ones.
 */

/** A TCP listener on 127.0.0.1 (port 0) that counts the connections it is given, and closes them. */
class Listener {
  private server?: TcpServer;
  connections = 0;
  port = 0;
  async start(): Promise<number> {
    this.server = createServer((s) => {
      this.connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Its own store (a scratch database on PostgreSQL, a folder on the embedded store), so no other file's app runs its runs. */
async function ownStore(): Promise<{ options: TestAppOptions; drop(): Promise<void> }> {
  if (ON_POSTGRES) {
    const db = await createScratchDatabase(process.env.DATABASE_URL!);
    return { options: { env: { DATABASE_URL: db.url } }, drop: () => db.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'plangate-security-'));
  return {
    options: { overrides: { store: { kind: 'embedded', dataDir: dir } } },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function app(store: TestAppOptions, env: Record<string, string>): Promise<TestApp> {
  return startTestApp({ ...store, env: { ...store.env, JWT_SECRET: RETL_TEST_JWT_SECRET, ...env } });
}

/** 422 naming `config.url` with the issue, never a 500. */
function expectRefused(res: request.Response, issue: 'forbidden_address' | 'invalid_url') {
  expect(res.status).not.toBe(500);
  expect([res.status, res.body?.error?.code]).toEqual([422, 'validation_error']);
  expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'config.url', issue })]);
}

const webhook = (url: string) => ({ name: 'hook', connector: 'webhook', config: { url, objects: [TOUCHPOINT_OBJECT], maxRetries: 0 } });
const postgres = (url: string) => ({ name: 'warehouse', connector: 'postgres', config: { url, maxRetries: 0 } });
const MAPPINGS = [
  { source: 'id', destination: 'external_id', isKey: true },
  { source: 'company_name', destination: 'account_company' },
];

async function syncOf(server: Server, key: string, api: RetlClient, destinationId: string, objectName = 'Touchpoints'): Promise<string> {
  const res = await plansync(server, key).post('/api/v1/touchpoints?year=2025', {
    company_name: 'Acme',
    touchpoints: 'call',
    reporting_quarter: 'Q1',
    reporting_year: '2025',
    time_spent: 30,
  });
  expect(res.status).toBe(200);
  const sync = await api.post('/syncs', {
    name: 'out',
    sourceQuery: 'model:touchpoints',
    destinationId,
    objectName,
    fieldMappings: MAPPINGS,
    syncMode: 'upsert',
  });
  expect(sync.status).toBe(201);
  return sync.body.data.id as string;
}

/** A test app with this RETL_ALLOW_HOSTS for the enclosing describe, and an account's client on it. */
function appWithAccount(allowHosts: string): { api: RetlClient } {
  let t: TestApp;
  const client = { api: undefined as unknown as RetlClient };
  beforeAll(async () => {
    t = await startTestApp({ env: { RETL_ALLOW_HOSTS: allowHosts } });
    client.api = retl(t.app.getHttpServer(), (await createAccountWithKey(t.app.getHttpServer())).key);
  });
  afterAll(() => t.close());
  return client;
}

describe('reverse-ETL destination addresses', () => {
  const listener = new Listener();
  let port: number;

  beforeAll(async () => {
    port = await listener.start();
  });
  afterAll(() => listener.stop());

  describe('with the widest allow-list an operator can set', () => {
    const client = appWithAccount('0.0.0.0/0,::/0,localhost,169.254.0.0/16');

    it.each([
      ['postgres://u@8.8.8.8/db?host=127.0.0.1', 'forbidden_address'],
      ['postgres://u@8.8.8.8/db?host=/var/run/postgresql', 'forbidden_address'],
      ['postgres://u@8.8.8.8/db?host=169.254.169.254', 'forbidden_address'],
      ['postgres://u@8.8.8.8/db?hostaddr=127.0.0.1', 'forbidden_address'],
      ['postgres://u@%2Fvar%2Frun%2Fpostgresql/db', 'forbidden_address'],
      ['postgres://u@a.invalid,b.invalid/db', 'forbidden_address'],
      ['postgres://u@169.254.169.254/db', 'forbidden_address'],
      ['postgres://u@[::ffff:a9fe:a9fe]/db', 'forbidden_address'],
      ['postgres://u@a.invalid/db?sslcert=/etc/passwd', 'invalid_url'],
      ['postgres://u@a.invalid/db?sslkey=/etc/passwd', 'invalid_url'],
      ['postgres://u@a.invalid/db?sslrootcert=/etc/passwd', 'invalid_url'],
    ])('refuses the postgres URL %s at creation (%s)', async (url, issue) => {
      expectRefused(await client.api.post('/destinations', postgres(url)), issue as 'forbidden_address');
    });

    it.each([
      'http://[fd00:ec2::254]/',
      'http://100.100.100.200/',
      'http://192.0.0.192/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://168.63.129.16/',
      'http://[2002:a9fe:a9fe::1]/',
      'http://[64:ff9b:1::a9fe:a9fe]/',
      'http://[fe80::1]/',
      'http://0.0.0.0/',
      'http://255.255.255.255/',
    ])('refuses the webhook URL %s at creation', async (url) => {
      expectRefused(await client.api.post('/destinations', webhook(url)), 'forbidden_address');
    });

    it('never connects through a host override, even to an allowed address', async () => {
      for (const url of [`postgres://u@8.8.8.8/db?host=127.0.0.1&port=${port}`, `postgres://u@127.0.0.1:${port}/db?hostaddr=127.0.0.1`]) {
        expectRefused(await client.api.post('/destinations', postgres(url)), 'forbidden_address');
      }
      expect(listener.connections).toBe(0);
    });
  });

  describe('without RETL_ALLOW_HOSTS (the default)', () => {
    const client = appWithAccount('');

    it('refuses loopback by address, in IPv6 forms and by name, and never connects', async () => {
      for (const url of [
        `http://127.0.0.1:${port}/in`,
        `http://localhost:${port}/in`,
        `http://[::ffff:127.0.0.1]:${port}/in`,
        `http://[::1]:${port}/in`,
        `http://127.1:${port}/in`,
      ]) {
        expectRefused(await client.api.post('/destinations', webhook(url)), 'forbidden_address');
      }
      for (const url of [
        `postgres://u@127.0.0.1:${port}/db`,
        `postgres://u@localhost:${port}/db`,
        `postgres://u@[::ffff:7f00:1]:${port}/db`,
        `postgres://u@127.1:${port}/db`,
      ]) {
        expectRefused(await client.api.post('/destinations', postgres(url)), 'forbidden_address');
      }
      for (const url of [
        'http://10.1.2.3/',
        'http://192.168.1.1/',
        'http://172.16.0.1/',
        'http://100.64.0.1/',
        'http://[fd12::1]/',
        'http://[64:ff9b::a01:203]/',
      ]) {
        expectRefused(await client.api.post('/destinations', webhook(url)), 'forbidden_address');
      }
      expect(listener.connections).toBe(0);
    });
  });

  it('fails the run of a destination made while allowed once the operator removes it, connecting nowhere', async () => {
    const store = await ownStore();
    const proxy = ON_POSTGRES
      ? new TcpProxy(new URL(process.env.DATABASE_URL!).hostname, Number(new URL(process.env.DATABASE_URL!).port || 5432))
      : undefined;
    let t = await app(store.options, { RETL_ALLOW_HOSTS: '127.0.0.1/32', RETL_WORKERS: '0' });
    try {
      const server = t.app.getHttpServer();
      const acct = await createAccountWithKey(server);
      let api = retl(server, acct.key);
      const hook = await api.post('/destinations', webhook(`http://127.0.0.1:${port}/in`));
      expect(hook.status).toBe(201);
      const syncs = [await syncOf(server, acct.key, api, hook.body.data.id)];
      if (proxy) {
        // a real PostgreSQL behind a counting proxy: the destination is connected to (allowed) at creation only
        const c = new Client({ connectionString: store.options.env!.DATABASE_URL });
        await c.connect();
        await c.query('CREATE TABLE crm_out (external_id text PRIMARY KEY, account_company text)');
        await c.end();
        const db = new URL(store.options.env!.DATABASE_URL);
        db.host = `127.0.0.1:${await proxy.start()}`;
        const pg = await api.post('/destinations', postgres(db.toString()));
        expect(pg.status).toBe(201);
        syncs.push(await syncOf(server, acct.key, api, pg.body.data.id, 'crm_out'));
      }
      await t.close();
      const connected = proxy?.connections;

      t = await app(store.options, { RETL_ALLOW_HOSTS: '', RETL_WORKERS: '1' });
      api = retl(t.app.getHttpServer(), acct.key);
      for (const syncId of syncs) {
        const run = await runSync(api, syncId);
        expect(run).toMatchObject({ status: 'failed', error: { code: 'forbidden_address' } });
        const dlq = (await api.get(`/dlq?sync_id=${syncId}`).expect(200)).body.data;
        expect([...new Set(dlq.map((e: { attributes: { error_code: string } }) => e.attributes.error_code))]).toEqual([
          'forbidden_address',
        ]);
      }
      expect(listener.connections).toBe(0);
      expect(proxy?.connections).toBe(connected);
    } finally {
      await t.close();
      await proxy?.cut();
      await store.drop();
    }
  });

  it("never shows a receiver's 5xx answer in the run, its dead letters or the destination", async () => {
    const SECRET = 'internal-service-answer-7f3a: db=10.0.0.5 token=abc';
    const receiver = new WebhookReceiver();
    receiver.reply = () => ({ status: 502, body: { error: SECRET } });
    const hookUrl = await receiver.start();
    const store = await ownStore();
    const t = await app(store.options, { RETL_WORKERS: '1' });
    try {
      const server = t.app.getHttpServer();
      const acct = await createAccountWithKey(server);
      const api = retl(server, acct.key);
      const dest = (await api.post('/destinations', webhook(`${hookUrl}/in`)).expect(201)).body.data.id;
      const syncId = await syncOf(server, acct.key, api, dest);
      const run = await runSync(api, syncId);
      expect(receiver.batches.length).toBe(1);
      expect(run).toMatchObject({
        status: 'failed',
        error: { code: 'destination_unavailable', message: expect.stringContaining('HTTP 502 from the destination') },
      });
      const answers = [
        await api.get(`/runs/${run.id as string}`),
        await api.get(`/runs?sync_id=${syncId}`),
        await api.get(`/dlq?sync_id=${syncId}`),
        await api.get(`/dlq/stats?sync_id=${syncId}`),
        await api.get(`/destinations/${dest}`),
        await api.get(`/syncs/${syncId}`),
      ];
      for (const res of answers) {
        expect(res.status).toBe(200);
        expect(JSON.stringify(res.body)).not.toContain('internal-service-answer');
      }
      expect(answers[2].body.data[0].attributes).toMatchObject({
        error_code: 'destination_unavailable',
        error_message: expect.stringContaining('HTTP 502 from the destination'),
      });
    } finally {
      await t.close();
      await receiver.stop();
      await store.drop();
    }
  });
});
