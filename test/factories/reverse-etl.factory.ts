import request from 'supertest';

type App = Parameters<typeof request>[0];

/** Every reverse-ETL test app shares one JWT_SECRET: on one PostgreSQL database any of them may run another's run. */
export const RETL_TEST_JWT_SECRET = 'reverse-etl-test-jwt-secret-0123456789abcdef';

/** A reverse-ETL client with one key as Bearer: JSON bodies, paths relative to /api/reverse-etl. */
export function retl(server: App, key: string, base = '/api/reverse-etl') {
  const auth = { Authorization: `Bearer ${key}` };
  return {
    get: (path: string) =>
      request(server)
        .get(base + path)
        .set(auth),
    post: (path: string, body?: unknown) =>
      request(server)
        .post(base + path)
        .set(auth)
        .send(body as object),
    put: (path: string, body?: unknown) =>
      request(server)
        .put(base + path)
        .set(auth)
        .send(body as object),
    delete: (path: string) =>
      request(server)
        .delete(base + path)
        .set(auth),
  };
}

export type RetlClient = ReturnType<typeof retl>;

/** Polls a run until it is finished (or the time is up), returning its attributes. */
export async function waitForRun(api: RetlClient, runId: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const started = Date.now();
  const until = started + timeoutMs;
  for (;;) {
    const res = await api.get(`/runs/${runId}`);
    if (res.status !== 200) throw new Error(`GET /runs/${runId}: ${res.status} ${JSON.stringify(res.body)}`);
    const a: Record<string, unknown> = { id: res.body.data.id as string, ...(res.body.data.attributes as Record<string, unknown>) };
    if (['succeeded', 'failed', 'canceled'].includes(a.status as string)) return a;
    if (Date.now() > until) throw new Error(`run ${runId} still ${String(a.status)} after ${timeoutMs} ms`);
    // quick at first, then gently: every poll counts against the key's 120 requests a minute
    await new Promise((r) => setTimeout(r, Date.now() - started < 1000 ? 100 : 500));
  }
}

/** Starts a sync and waits for its run. */
export async function runSync(api: RetlClient, syncId: string, fullResync = false): Promise<Record<string, unknown>> {
  const res = await api.post('/sync/run', { syncId, fullResync });
  if (res.status !== 202) throw new Error(`sync/run: ${res.status} ${JSON.stringify(res.body)}`);
  const element = res.body.data[0];
  if (!element.id) throw new Error(`sync/run skipped: ${JSON.stringify(element)}`);
  return waitForRun(api, element.id as string);
}

export const TOUCHPOINT_OBJECT = {
  name: 'Touchpoints',
  label: 'CRM touchpoints',
  fields: [
    { name: 'external_id', type: 'string', isIdentifier: true, required: true, maxLength: 64 },
    { name: 'account_company', type: 'string', required: true },
    { name: 'summary', type: 'string' },
    { name: 'year_reported', type: 'integer' },
    { name: 'minutes', type: 'number' },
    { name: 'origin', type: 'string' },
    { name: 'occurred_on', type: 'date' },
  ],
};
