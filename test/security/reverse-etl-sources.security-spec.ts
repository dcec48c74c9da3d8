import { type Server } from 'node:http';
import request from 'supertest';
import { createAccountWithKey, type AccountWithKey } from '../factories/admin.factory.js';
import { plansync } from '../factories/plansync.factory.js';
import { RETL_TEST_JWT_SECRET, retl, runSync, type RetlClient } from '../factories/reverse-etl.factory.js';
import { ON_POSTGRES, startTestApp, type TestApp } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Issue #17, hole 1: one account's SQL source must not take the shared process down. Values, rows and whole reads
 * are capped in bytes by the database before a row reaches the driver; a run that passes a cap fails with
 * `source_byte_cap_exceeded` naming it, the process stays up, and other accounts are served throughout.
 */
describe('reverse-ETL sources: byte caps and the function allowlist', () => {
  let t: TestApp;
  let server: Server;
  const receiver = new WebhookReceiver();
  let hookUrl: string;
  let attacker: AccountWithKey;
  let api: RetlClient;
  let destinationId: string;

  beforeAll(async () => {
    hookUrl = await receiver.start();
    t = await startTestApp({ env: { RETL_WORKERS: '2', JWT_SECRET: RETL_TEST_JWT_SECRET, RETL_SQL_ON_EMBEDDED: 'true' } });
    server = t.app.getHttpServer();
    attacker = await createAccountWithKey(server);
    api = retl(server, attacker.key);
    destinationId = (
      await api
        .post('/destinations', { name: 'hook', connector: 'webhook', config: { url: `${hookUrl}/caps`, maxRetries: 0, batchSize: 1000 } })
        .expect(201)
    ).body.data.id;
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  async function runSource(sourceQuery: string, columns: string[]): Promise<Record<string, unknown>> {
    const created = await api.post('/syncs', {
      name: 'caps',
      sourceQuery,
      destinationId,
      objectName: 'Rows',
      fieldMappings: columns.map((c, i) => ({ source: c, destination: c, isKey: i === 0 })),
      syncMode: 'upsert',
    });
    expect(created.status).toBe(201);
    return runSync(api, created.body.data.id, false);
  }

  /**
   * Runs `work` while another account is served: /health every 50 ms and that account's PlanSync spreadsheets every
   * 500 ms (a fresh account each time, well inside its 60 requests a minute). Every answer must be a 200.
   */
  async function whileNeighbourIsServed<T>(work: () => Promise<T>): Promise<{ result: T; answers: number[] }> {
    const neighbour = await createAccountWithKey(server);
    const answers: number[] = [];
    let done = false;
    const neighbourLoop = (async () => {
      for (let i = 0; i < 2000 && !done; i++) {
        answers.push((await request(server).get('/health')).status);
        if (i % 10 === 0 && i < 500) answers.push((await plansync(server, neighbour.key).get('/api/v1/spreadsheets')).status);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      return { result: await work(), answers };
    } finally {
      done = true;
      await neighbourLoop;
    }
  }

  it('passes a value of exactly the cap and delivers it', async () => {
    const before = receiver.rows.length;
    const run = await runSource("SELECT 'ok' AS id, repeat('x', 1048576) AS b", ['id', 'b']);
    expect(run).toMatchObject({ status: 'succeeded', rows_read: 1, rows_written: 1 });
    expect((receiver.rows[before] as { b: string }).b).toHaveLength(1048576);
  });

  it.each([
    [
      'a value one byte over 1 MiB',
      "SELECT 'v' AS id, repeat('x', 1048577) AS b",
      /value of column "b" is 1048577 bytes, over the cap of 1 MiB per value/,
    ],
    [
      'a row over 2 MiB',
      "SELECT 'r' AS id, repeat('x', 800000) AS b, repeat('y', 800000) AS c, repeat('z', 800000) AS d",
      /a row is 2400033 bytes, over the cap of 2 MiB per row/,
    ],
    [
      'a read over 64 MiB',
      `SELECT g::text AS id, repeat('x', 1000000) AS b FROM (VALUES ${Array.from({ length: 70 }, (_, i) => `(${i})`).join(', ')}) AS v(g)`,
      /more than 64 MiB \(the cap of one read\)/,
    ],
  ])('fails a run with %s, sending nothing', async (_name, sql, message) => {
    const sent = receiver.rows.length;
    const columns = sql.includes(' AS c') ? ['id', 'b', 'c', 'd'] : ['id', 'b'];
    const { result: run, answers } = await whileNeighbourIsServed(() => runSource(sql, columns));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'source_byte_cap_exceeded', message: expect.stringMatching(message) });
    expect(receiver.rows.length).toBe(sent);
    expect(answers.length).toBeGreaterThan(0);
    expect(new Set(answers)).toEqual(new Set([200]));
  });

  it('caps what mapping makes of a row: one 1 MB column sent to five fields', async () => {
    const sent = receiver.rows.length;
    const created = await api.post('/syncs', {
      name: 'fan-out',
      sourceQuery: "SELECT 'f' AS id, repeat('x', 1000000) AS b",
      destinationId,
      objectName: 'Rows',
      fieldMappings: [
        { source: 'id', destination: 'id', isKey: true },
        ...[1, 2, 3, 4, 5].map((n) => ({ source: 'b', destination: `b${n}` })),
      ],
      syncMode: 'upsert',
    });
    expect(created.status).toBe(201);
    const run = await runSync(api, created.body.data.id);
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'source_byte_cap_exceeded', message: expect.stringMatching(/row 1 is \d+ bytes once mapped, over the cap of 4 MiB/) },
    });
    expect(receiver.rows.length).toBe(sent);
  });

  it('splits a read of large rows into delivery batches of about 8 MiB, whatever the batch size says', async () => {
    const before = receiver.batches.length;
    const run = await runSource(
      `SELECT g::text AS id, repeat('x', 1000000) AS b FROM (VALUES ${Array.from({ length: 20 }, (_, i) => `(${i})`).join(', ')}) AS v(g)`,
      ['id', 'b'],
    );
    expect(run).toMatchObject({ status: 'succeeded', rows_read: 20, rows_written: 20 });
    const batches = receiver.batches.slice(before);
    // 8 MiB = 8,388,608 bytes: a batch takes rows while the bytes before them are under it, so 9 + 9 + 2
    expect(batches.map((b) => b.body.rows.length)).toEqual([9, 9, 2]);
  });

  it.each([['SELECT t.pg_column_size FROM companies t'], ['SELECT (c).pg_column_size FROM companies c']])(
    'refuses the call form of a function that is not allowed: %s',
    async (sql) => {
      const res = await api.post('/syncs', {
        name: 'call form',
        sourceQuery: sql,
        destinationId,
        objectName: 'Rows',
        fieldMappings: [{ source: 'pg_column_size', destination: 'n' }],
        syncMode: 'insert',
      });
      expect([res.status, res.body.error?.code]).toEqual([422, 'validation_error']);
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ issue: 'forbidden_function' })]));
    },
  );

  // The exact replays of the issue need a PostgreSQL server: the embedded store would build the values in the
  // gateway's own WebAssembly heap, which is why SQL sources are off there unless an operator turns them on.
  (ON_POSTGRES ? it : it.skip)(
    'survives the 540,000,000-byte value that used to crash the process',
    async () => {
      const { result: run, answers } = await whileNeighbourIsServed(() =>
        runSource('SELECT 1 AS a, repeat(chr(120), 540000000) AS b', ['a', 'b']),
      );
      expect(run).toMatchObject({ status: 'failed', error: { code: 'source_byte_cap_exceeded' } });
      expect(new Set(answers)).toEqual(new Set([200]));
      expect((await request(server).get('/health')).status).toBe(200);
    },
    120_000,
  );

  (ON_POSTGRES ? it : it.skip)(
    'contains three 100 MB values in one row',
    async () => {
      const sql = "SELECT 'three' AS a, repeat('x', 100000000) AS b, repeat('y', 100000000) AS c, repeat('z', 100000000) AS d";
      const { result: run, answers } = await whileNeighbourIsServed(() => runSource(sql, ['a', 'b', 'c', 'd']));
      expect(run).toMatchObject({
        status: 'failed',
        error: { code: 'source_byte_cap_exceeded', message: expect.stringContaining('column "b"') },
      });
      expect(new Set(answers)).toEqual(new Set([200]));
    },
    120_000,
  );
});
