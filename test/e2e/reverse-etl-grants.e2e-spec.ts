import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { createAccountWithKey } from '../factories/admin.factory.js';
import { plansync } from '../factories/plansync.factory.js';
import { RETL_TEST_JWT_SECRET, retl, runSync, TOUCHPOINT_OBJECT } from '../factories/reverse-etl.factory.js';
import { codeBlocks } from '../support/markdown-blocks.js';
import { createScratchDatabase } from '../support/pg-admin.js';
import { ON_POSTGRES, startTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/** The README's grants for a gateway user that is no superuser: its one `sql` block, `plangate` standing for the user. */
const GRANTS = (() => {
  const blocks = codeBlocks(readFileSync(join(__dirname, '../../README.md'), 'utf8')).filter((b) => b.lang === 'sql');
  if (blocks.length !== 1) throw new Error(`README.md should have one sql block (the grants), not ${blocks.length}`);
  return blocks[0].lines.filter((l) => l.trim());
})();
/** The block but the reader role: what the gateway needs to run, model references of reverse ETL included. */
const TO_RUN = GRANTS.filter((l) => !/plangate_retl_reader TO/.test(l));

/**
 * Issue 21: SQL sources when the gateway's database user is not a superuser. The first start migrates as a
 * superuser; later starts log in as an ordinary user given the README's grants. Without the reader role the start says
 * what to grant and SQL sources are off (model references still run); with the whole README block they are on.
 */
(ON_POSTGRES ? describe : describe.skip)('reverse ETL, the gateway logged in as a user that is no superuser', () => {
  const user = `plangate_gw_${randomBytes(4).toString('hex')}`;
  const receiver = new WebhookReceiver();
  let db: Awaited<ReturnType<typeof createScratchDatabase>>;
  let hookUrl: string;

  const asSuperuser = async (statements: string[]) => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      for (const sql of statements) await c.query(sql.replace(/ TO plangate;$/, ` TO ${user};`));
    } finally {
      await c.end();
    }
  };
  const startAsUser = () => {
    const url = new URL(db.url);
    url.username = user;
    return startTestApp({ env: { DATABASE_URL: url.toString(), JWT_SECRET: RETL_TEST_JWT_SECRET, RETL_WORKERS: '1' } });
  };
  const status = async (t: TestApp) =>
    (await request(t.app.getHttpServer()).get('/admin/reverse-etl/status').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`).expect(200))
      .body as { sql_sources: string; reason: string | null };

  beforeAll(async () => {
    hookUrl = await receiver.start();
    db = await createScratchDatabase(process.env.DATABASE_URL!);
    // the first start migrates, as a superuser
    await (await startTestApp({ env: { DATABASE_URL: db.url, JWT_SECRET: RETL_TEST_JWT_SECRET } })).close();
    await asSuperuser([`CREATE ROLE ${user} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`]);
  });
  afterAll(async () => {
    await receiver.stop();
    await db?.drop();
    const c = new Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    await c.query(`DROP ROLE IF EXISTS ${user}`);
    await c.end();
  });

  /** An account with one touchpoint of Acme and a webhook destination at `path`, on the gateway `t`. */
  async function accountWithHook(t: TestApp, path: string) {
    const server = t.app.getHttpServer();
    const acct = await createAccountWithKey(server);
    await plansync(server, acct.key)
      .post('/api/v1/touchpoints?year=2025', { company_name: 'Acme', touchpoints: 'call', reporting_quarter: 'Q1', reporting_year: '2025' })
      .expect(200);
    const api = retl(server, acct.key);
    const dest = (
      await api
        .post('/destinations', { name: 'hook', connector: 'webhook', config: { url: `${hookUrl}${path}`, objects: [TOUCHPOINT_OBJECT] } })
        .expect(201)
    ).body.data.id as string;
    /** A sync of `sourceQuery` to that destination, keyed on the touchpoint's id. */
    const sync = (name: string, sourceQuery: string) =>
      api.post('/syncs', {
        name,
        sourceQuery,
        destinationId: dest,
        objectName: 'Touchpoints',
        fieldMappings: [
          { source: 'id', destination: 'external_id', isKey: true },
          { source: 'company_name', destination: 'account_company' },
        ],
        syncMode: 'upsert',
      });
    return { api, sync };
  }

  it('without the reader role: SQL sources are off, the start names the grant, model references run', async () => {
    await asSuperuser(TO_RUN);
    const t = await startAsUser();
    try {
      expect(await status(t)).toMatchObject({
        sql_sources: 'disabled',
        reason: expect.stringContaining(`GRANT plangate_retl_reader TO ${user}`),
      });
      const { api, sync } = await accountWithHook(t, '/a');
      expect((await sync('sql', 'SELECT id, company_name FROM touchpoints')).status).toBe(422);
      const model = await sync('model', 'model:touchpoints').expect(201);
      expect(await runSync(api, model.body.data.id)).toMatchObject({ status: 'succeeded', rows_read: 1 });
    } finally {
      await t.close();
    }
  });

  it("with the README's grants: SQL sources are on and a SQL sync runs", async () => {
    await asSuperuser(GRANTS);
    const t = await startAsUser();
    try {
      expect(await status(t)).toMatchObject({ sql_sources: 'enabled', reason: null });
      const { api, sync } = await accountWithHook(t, '/b');
      const created = await sync('sql', 'SELECT id, upper(company_name) AS company_name FROM touchpoints').expect(201);
      expect(await runSync(api, created.body.data.id)).toMatchObject({ status: 'succeeded', rows_read: 1, rows_written: 1 });
      expect(receiver.rows.filter((r) => r.account_company === 'ACME')).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});
