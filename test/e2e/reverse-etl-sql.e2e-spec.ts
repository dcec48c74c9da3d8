import { type Server } from 'node:http';
import type request from 'supertest';
import { SourceError, SourceSandbox } from '#syncs';
import { StoreService } from '#store';
import { admin, createAccountWithKey, type AccountWithKey } from '../factories/admin.factory.js';
import { plansync } from '../factories/plansync.factory.js';
import { RETL_TEST_JWT_SECRET, retl, runSync, type RetlClient } from '../factories/reverse-etl.factory.js';
import { ON_POSTGRES, startTestApp, type TestApp } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

function expectError(res: request.Response, status: number, code: string, issue?: string) {
  expect(res.status).not.toBe(500);
  expect([res.status, res.body?.error?.code]).toEqual([status, code]);
  if (issue) expect(res.body.error.details.map((d: { issue: string }) => d.issue)).toContain(issue);
}

/** The hostile SQL texts (docs/reverse-etl.md), each with the issue validation names (before anything runs). */
const HOSTILE: [string, string][] = [
  ['DELETE FROM touchpoints', 'not_a_select'],
  ["UPDATE touchpoints SET company_name = 'x'", 'not_a_select'],
  ["INSERT INTO touchpoints (id) VALUES ('x')", 'not_a_select'],
  ['DROP TABLE retl_syncs', 'not_a_select'],
  ["COPY touchpoints TO '/tmp/out.csv'", 'not_a_select'],
  ['SET ROLE postgres', 'not_a_select'],
  ['SELECT * INTO stolen FROM touchpoints', 'not_a_select'],
  ['SELECT * FROM touchpoints FOR UPDATE', 'not_a_select'],
  ['WITH d AS (DELETE FROM touchpoints RETURNING *) SELECT * FROM d', 'not_a_select'],
  ['SELECT 1; DROP TABLE retl_syncs', 'multiple_statements'],
  ['SELECT * FROM public.touchpoints', 'forbidden_relation'],
  ['SELECT * FROM api_keys', 'forbidden_relation'],
  ['SELECT * FROM retl_query_context', 'forbidden_relation'],
  ['SELECT * FROM pg_catalog.pg_authid', 'forbidden_relation'],
  ['SELECT * FROM pg_shadow', 'forbidden_relation'],
  ['SELECT * FROM pg_settings', 'forbidden_relation'],
  ['SELECT * FROM information_schema.tables', 'forbidden_relation'],
  ['SELECT pg_sleep(60)', 'forbidden_function'],
  ["SELECT set_config('role', 'postgres', true)", 'forbidden_function'],
  ["SELECT current_setting('is_superuser')", 'forbidden_function'],
  ["SELECT pg_read_file('/etc/passwd')", 'forbidden_function'],
  ["SELECT query_to_xml('select * from api_keys', true, true, '')", 'forbidden_function'],
  ['SELECT pg_advisory_lock(1)', 'forbidden_function'],
  ['WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r', 'forbidden_construct'],
  ['SELECT * FROM touchpoints TABLESAMPLE SYSTEM (50)', 'forbidden_construct'],
  ['this is not sql', 'syntax_error'],
];

/**
 * SQL sources (docs/reverse-etl.md, checklist 12). On the embedded store they are off unless RETL_SQL_ON_EMBEDDED, so
 * this file's app turns them on there: both stores run the same sandbox (context row, read-only transaction, reader
 * role), and the tests below show what the database refuses when validation is bypassed.
 */
describe('reverse ETL SQL sources', () => {
  let t: TestApp;
  let server: Server;
  let sandbox: SourceSandbox;
  const receiver = new WebhookReceiver();
  let hookUrl: string;
  let a: AccountWithKey;
  let b: AccountWithKey;
  let apiA: RetlClient;
  let destinationId: string;
  let accountA: string;

  beforeAll(async () => {
    hookUrl = await receiver.start();
    t = await startTestApp({ env: { RETL_WORKERS: '2', JWT_SECRET: RETL_TEST_JWT_SECRET, RETL_SQL_ON_EMBEDDED: 'true' } });
    server = t.app.getHttpServer();
    sandbox = t.app.get(SourceSandbox);
    a = await createAccountWithKey(server);
    b = await createAccountWithKey(server);
    apiA = retl(server, a.key);
    for (const [acct, company] of [
      [a, 'Acme'],
      [a, 'Globex'],
      [b, 'SECRET-OF-B'],
    ] as const) {
      await plansync(server, acct.key)
        .post('/api/v1/touchpoints?year=2025', {
          company_name: company,
          touchpoints: 'call',
          reporting_quarter: 'Q1',
          reporting_year: '2025',
        })
        .expect(200);
    }
    destinationId = (
      await apiA.post('/destinations', { name: 'hook', connector: 'webhook', config: { url: `${hookUrl}/sql`, maxRetries: 0 } }).expect(201)
    ).body.data.id;
    [{ id: accountA }] = await t.app.get(StoreService).query<{ id: string }>('SELECT id FROM accounts WHERE slug = $1', [a.slug]);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  const sqlSync = (sourceQuery: string, extra: Record<string, unknown> = {}) => ({
    name: 'sql',
    sourceQuery,
    destinationId,
    objectName: 'Rows',
    fieldMappings: [
      { source: 'id', destination: 'id', isKey: true },
      { source: 'name', destination: 'name' },
    ],
    syncMode: 'upsert',
    ...extra,
  });

  it('reports SQL sources enabled', async () => {
    const res = await admin(server).get('/admin/reverse-etl/status').expect(200);
    expect(res.body).toMatchObject({ sql_sources: 'enabled', reason: null });
  });

  it("runs a SQL source end to end with only the caller's rows", async () => {
    const created = await apiA.post(
      '/syncs',
      sqlSync('SELECT id, upper(company_name) AS name, updated_at FROM touchpoints WHERE year = 2025;', { watermarkColumn: 'updated_at' }),
    );
    expect(created.status).toBe(201);
    expect(created.body.data.attributes.source_type).toBe('sql');
    const run = await runSync(apiA, created.body.data.id);
    expect(run).toMatchObject({ status: 'succeeded', rows_read: 2, rows_written: 2 });
    const names = receiver.rows.map((r) => r.name).sort();
    expect(names).toEqual(['ACME', 'GLOBEX']);
    expect(JSON.stringify(receiver.batches)).not.toContain('SECRET-OF-B');
  });

  it.each(HOSTILE)('refuses %s with 422 %s before anything runs', async (sql, issue) => {
    const res = await apiA.post('/syncs', sqlSync(sql));
    expectError(res, 422, 'validation_error', issue);
    expect(JSON.stringify(res.body)).not.toContain('SECRET-OF-B');
  });

  it("answers a filter on another account's rows with sql_error: the views hold only the caller's rows", async () => {
    const res = await apiA.post(
      '/syncs',
      sqlSync("SELECT id, company_name AS name FROM touchpoints WHERE account_id <> '00000000-0000-0000-0000-000000000000'"),
    );
    expectError(res, 422, 'validation_error', 'sql_error');
    expectError(
      await apiA.post('/syncs', sqlSync('SELECT id, company_name AS name, id FROM touchpoints')),
      422,
      'validation_error',
      'duplicate_column',
    );
  });

  it('turns SQL sources off for one account by its setting', async () => {
    await admin(server)
      .patch(`/admin/accounts/${b.slug}`, { settings: { reverse_etl: { sql_sources: false } } })
      .expect(200);
    const apiB = retl(server, b.key);
    const dest = (await apiB.post('/destinations', { name: 'hook', connector: 'webhook', config: { url: `${hookUrl}/b` } }).expect(201))
      .body.data.id;
    expectError(
      await apiB.post('/syncs', { ...sqlSync('SELECT id, company_name AS name FROM touchpoints'), destinationId: dest }),
      422,
      'validation_error',
      'sql_sources_unavailable',
    );
    // hostile text still gets its own issue first
    expectError(
      await apiB.post('/syncs', { ...sqlSync('SELECT pg_sleep(60)'), destinationId: dest }),
      422,
      'validation_error',
      'forbidden_function',
    );
  });

  describe('the database enforces the sandbox whatever validation missed (validation bypassed)', () => {
    const read = (sql: string) => sandbox.read(accountA, { type: 'sql', sql });
    const refused = async (sql: string, pattern: RegExp) => {
      let error: unknown;
      try {
        await read(sql);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).message).toMatch(pattern);
    };

    it('reads the models as the reader role, seeing only its own account', async () => {
      const { rows, columns } = await read('SELECT company_name, current_user AS who FROM touchpoints ORDER BY 1');
      expect(columns.map((c) => c.name)).toEqual(['company_name', 'who']);
      expect(rows).toEqual([
        ['Acme', 'plangate_retl_reader'],
        ['Globex', 'plangate_retl_reader'],
      ]);
    });

    it.each([
      ['SELECT * FROM public.api_keys', /permission denied/],
      ['SELECT * FROM public.touchpoints', /permission denied/],
      ['SELECT * FROM public.retl_query_context', /permission denied/],
      ['SELECT * FROM public.retl_destinations', /permission denied/],
      ['SELECT * FROM pg_catalog.pg_authid', /permission denied/],
      ["SELECT set_config('role', 'postgres', true)", /permission denied/],
      ['SELECT * FROM (SELECT 1) x WHERE (SELECT count(*) FROM public.users) > 0', /permission denied/],
    ])('refuses %s', async (sql, pattern) => {
      await refused(sql, pattern);
    });

    it("can learn no account but its own: the context row is this transaction's, never a setting", async () => {
      const { rows } = await read('SELECT public.retl_current_account()::text');
      expect(rows).toEqual([[accountA]]);
      await refused("SELECT set_config('plangate.account', 'x', true)", /permission denied/);
    });

    it('cannot write: the transaction is read-only and rolls back', async () => {
      await refused(
        "SELECT 1 FROM (SELECT 1) x WHERE EXISTS (SELECT 1 FROM touchpoints) AND nextval('object_id_counter') > 0",
        /read-only|permission denied|does not exist/,
      );
      const [{ n }] = await t.app.get(StoreService).query<{ n: number }>('SELECT count(*)::int AS n FROM retl_query_context');
      expect(n).toBe(0);
    });

    it('fails a source over 100,000 rows before sending anything', async () => {
      await refused('SELECT g FROM generate_series(1, 100001) AS g', /more than 100000 rows/);
    });

    (ON_POSTGRES ? it : it.skip)(
      'stops a statement at the timeout (PostgreSQL: statement_timeout)',
      async () => {
        let error: unknown;
        try {
          await read('SELECT pg_sleep(31)');
        } catch (e) {
          error = e;
        }
        expect((error as SourceError).code).toBe('source_timeout');
      },
      45_000,
    );
  });
});
