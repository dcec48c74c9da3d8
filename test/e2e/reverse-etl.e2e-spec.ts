import { type Server } from 'node:http';
import request from 'supertest';
import { StoreService } from '#store';
import { admin, createAccountWithKey, type AccountWithKey } from '../factories/admin.factory.js';
import { plansync } from '../factories/plansync.factory.js';
import { retl, runSync, TOUCHPOINT_OBJECT, waitForRun, type RetlClient } from '../factories/reverse-etl.factory.js';
import { ON_POSTGRES, startTestApp, type TestApp } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/** Every error: the §5 envelope, the status asked for, never a 500. */
function expectError(res: request.Response, status: number, code: string, issue?: string) {
  expect(res.status).not.toBe(500);
  expect([res.status, res.body?.error?.code]).toEqual([status, code]);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
  if (issue) expect(res.body.error.details.map((d: { issue: string }) => d.issue)).toContain(issue);
}

async function addTouchpoint(server: Server, key: string, fields: Record<string, unknown> = {}, year = 2025) {
  const res = await plansync(server, key).post(`/api/v1/touchpoints?year=${year}`, {
    company_name: 'Acme',
    touchpoints: 'Quarterly review call',
    reporting_quarter: 'Q1',
    reporting_year: String(year),
    time_spent: 30,
    ...fields,
  });
  expect(res.status).toBe(200);
  return res.body.unid as string;
}

const MAPPINGS = [
  { source: 'id', destination: 'external_id', isKey: true },
  { source: 'company_name', destination: 'account_company' },
  { source: 'touchpoints', destination: 'summary' },
  { source: 'year', destination: 'year_reported' },
  { source: 'time_spent', destination: 'minutes' },
  { source: "'plangate'", destination: 'origin' },
];

describe('reverse ETL', () => {
  let t: TestApp;
  let server: Server;
  let store: StoreService;
  const receiver = new WebhookReceiver();
  let hookUrl: string;

  beforeAll(async () => {
    hookUrl = await receiver.start();
    t = await startTestApp();
    server = t.app.getHttpServer();
    store = t.app.get(StoreService);
  });
  afterAll(async () => {
    if (process.env.RETL_DEBUG) console.log(t.logs.lines.filter((l) => !l.includes('"req"')).join('\n').slice(-6000));
    await t.close();
    await receiver.stop();
  });

  async function webhookDestination(api: RetlClient, config: Record<string, unknown> = {}) {
    const res = await api.post('/destinations', {
      name: 'CRM hook',
      connector: 'webhook',
      config: { url: `${hookUrl}/in?token=query-secret-123`, headers: { Authorization: 'Bearer header-secret-456' }, objects: [TOUCHPOINT_OBJECT], maxRetries: 0, ...config },
    });
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  }

  describe('end to end against a webhook receiver (checklist 3-10)', () => {
    let acct: AccountWithKey;
    let api: RetlClient;
    let destinationId: string;
    let syncId: string;

    beforeAll(async () => {
      acct = await createAccountWithKey(server);
      api = retl(server, acct.key);
      receiver.batches.length = 0;
    });

    it('creates a webhook destination whose secrets never come back', async () => {
      destinationId = await webhookDestination(api);
      expect(destinationId).toMatch(/^conn_[0-9a-z]{26}$/);
      const res = await api.get(`/destinations/${destinationId}`).expect(200);
      expect(res.body.data.attributes).toMatchObject({
        name: 'CRM hook',
        connector: 'webhook',
        category: 'webhook',
        status: 'unknown',
        config: { url: `${hookUrl}/in`, method: 'POST', header_names: ['Authorization'], signing: false, batch_size: 100, max_retries: 0 },
      });
      const text = JSON.stringify(res.body);
      expect(text).not.toContain('query-secret-123');
      expect(text).not.toContain('header-secret-456');
      const [row] = await store.query<{ secrets: Buffer; config: unknown }>(`SELECT secrets, config FROM retl_destinations WHERE id = $1`, [destinationId]);
      expect(row.secrets.toString('latin1')).not.toContain('header-secret-456');
      expect(JSON.stringify(row.config)).not.toContain('query-secret-123');
    });

    it('runs a model:touchpoints sync to succeeded, each row once under the mapped names only', async () => {
      const other = await createAccountWithKey(server);
      await addTouchpoint(server, other.key, { company_name: 'Other Co' });
      const ids = [await addTouchpoint(server, acct.key), await addTouchpoint(server, acct.key, { company_name: 'Globex' })];
      const created = await api.post('/syncs', {
        name: 'Touchpoints to CRM',
        sourceQuery: 'model:touchpoints',
        destinationId,
        objectName: 'Touchpoints',
        fieldMappings: MAPPINGS,
        syncMode: 'upsert',
        watermarkColumn: 'updated_at',
      });
      expect(created.status).toBe(201);
      syncId = created.body.data.id;
      expect(created.headers.location).toBe(`/api/reverse-etl/syncs/${syncId}`);
      const run = await runSync(api, syncId);
      expect(run).toMatchObject({ status: 'succeeded', rows_read: 2, rows_written: 2, rows_failed: 0, trigger: 'api', attempt: 1, error: null });
      expect(receiver.rows).toHaveLength(2);
      expect(receiver.rows.map((r) => r.external_id).sort()).toEqual([...ids].sort());
      for (const r of receiver.rows) expect(Object.keys(r).sort()).toEqual(['account_company', 'external_id', 'minutes', 'origin', 'summary', 'year_reported']);
      expect(receiver.rows[0]).toMatchObject({ origin: 'plangate', year_reported: 2025, minutes: 30 });
      const b = receiver.batches[0];
      expect(b.headers.authorization).toBe('Bearer header-secret-456');
      expect(b.headers['idempotency-key']).toBe(`${run.id ?? b.body.run_id}-1`);
      expect(b.headers['user-agent']).toBe('Plangate-ReverseETL/1');
      expect(b.path).toBe('/in?token=query-secret-123');
      expect(b.body).toMatchObject({ sync_id: syncId, batch: 1, object: 'Touchpoints', mode: 'upsert', key_fields: ['external_id'] });
      expect(JSON.stringify(receiver.rows)).not.toContain('Other Co');
      const sync = await api.get(`/syncs/${syncId}`).expect(200);
      expect(sync.body.data.attributes).toMatchObject({ status: 'healthy', last_run_status: 'succeeded', source_type: 'model' });
      expect(sync.body.data.attributes.watermark).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,6}Z$/);
    });

    it('sends only the new row on an incremental run and every row on a full resync', async () => {
      receiver.batches.length = 0;
      await addTouchpoint(server, acct.key, { company_name: 'Initech' });
      const run = await runSync(api, syncId);
      expect(run).toMatchObject({ status: 'succeeded', rows_read: 1 });
      expect(receiver.rows.map((r) => r.account_company)).toEqual(['Initech']);
      const none = await runSync(api, syncId);
      expect(none).toMatchObject({ status: 'succeeded', rows_read: 0 });
      const full = await runSync(api, syncId, true);
      expect(full).toMatchObject({ status: 'succeeded', rows_read: 3, full_resync: true });
    });

    it('dead-letters a row the receiver refuses, and a replay delivers it after the fix (checklist 7-8)', async () => {
      receiver.batches.length = 0;
      await addTouchpoint(server, acct.key, { company_name: 'BAD Corp' });
      receiver.reply = (b) => {
        const bad = b.body.rows.findIndex((r) => String(r.account_company).startsWith('BAD'));
        return bad >= 0 ? { status: 400, body: { errors: [{ index: bad, code: 'row_marked_bad', message: 'row marked bad' }] } } : { status: 200 };
      };
      const run = await runSync(api, syncId);
      expect(run).toMatchObject({ status: 'succeeded', rows_read: 1, rows_written: 0, rows_failed: 1 });
      const sync = await api.get(`/syncs/${syncId}`).expect(200);
      expect(sync.body.data.attributes.status).toBe('failing');
      const dlq = await api.get(`/dlq?sync_id=${syncId}`).expect(200);
      expect(dlq.body.data).toHaveLength(1);
      const entry = dlq.body.data[0];
      expect(entry.attributes).toMatchObject({ error_code: 'row_marked_bad', status: 'open', run_id: run.id ?? entry.attributes.run_id, object_name: 'Touchpoints' });
      expect(entry.attributes.row_preview.account_company).toBe('BAD Corp');
      const stats = await api.get(`/dlq/stats?sync_id=${syncId}`).expect(200);
      expect(stats.body.data).toMatchObject({ total_entries: 1, open_entries: 1, resolved_entries: 0 });

      receiver.reply = () => ({ status: 200 });
      receiver.batches.length = 0;
      const resolved = await api.post('/dlq/resolve', { ids: [entry.id, 'dlq_01kangys209raxdk2dqtf0egqx'], reason: 'fixed_upstream', replay: true }).expect(200);
      expect(resolved.body.data).toMatchObject({ resolved: [entry.id], already_resolved: [], not_found: ['dlq_01kangys209raxdk2dqtf0egqx'] });
      expect(resolved.body.data.runs).toHaveLength(1);
      const replay = await waitForRun(api, resolved.body.data.runs[0].id);
      expect(replay).toMatchObject({ status: 'succeeded', trigger: 'replay', rows_read: 1, rows_written: 1 });
      expect(receiver.rows.map((r) => r.account_company)).toEqual(['BAD Corp']);
      expect((await api.get(`/dlq?sync_id=${syncId}`).expect(200)).body.data).toHaveLength(0);
      const all = await api.get(`/dlq?sync_id=${syncId}&include_resolved=true`).expect(200);
      expect(all.body.data[0].attributes).toMatchObject({ status: 'resolved', resolution_reason: 'fixed_upstream', replay_run_id: replay.id ?? resolved.body.data.runs[0].id });
      expect((await api.get(`/syncs/${syncId}`)).body.data.attributes.status).toBe('healthy');
    });
  });
});
