import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '#config';
import { ADD_EVENT_REFS_SQL, REFRESH_EVENT_REF_HEADS_SQL } from '#events';
import { StoreService } from '#store';
import { createApp } from '../src/create-app.js';
import { adminCall, BENCH_ADMIN_TOKEN } from './gateway-process.js';

/** One list request, timed from the client: the first page a real client asks for. */
interface ListRoute {
  name: string;
  table: 'touchpoints' | 'events' | 'tasks';
  request: () => Promise<Response>;
}

export interface ScalingFigure {
  list: string;
  rows: number;
  p50: number;
  p99: number;
}

const LISTED_YEAR = 2026;
const LISTED_DAY = '2030-06-15';

/**
 * List latency against table size: one account keeps the same 100 rows in the listed scope (a year of touchpoints, a
 * day of events and the reference lists they make, a project's tasks) while the table around them grows to each size with rows of the same account
 * outside that scope (other years, other days, other projects) — one large tenant, the hardest case for indexes that
 * lead with the account. The scope is loaded through the protocols; the bulk through SQL, as fast as the store takes
 * it. The gateway runs in this process (the embedded store has one owner), so absolute figures include the client.
 */
export async function listScaling(options: {
  pgUrl?: string;
  sizes: number[];
  requests: number;
  log: (line: string) => void;
}): Promise<ScalingFigure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'plangate-bench-lists-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    RETL_WORKERS: '0',
    PORT: '0',
    ...(options.pgUrl ? { DATABASE_URL: options.pgUrl } : {}),
  });
  const silent = new Writable({ write: (_chunk, _enc, done) => done() });
  const app = await createApp(config, { logStream: silent });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const store = app.get(StoreService);
  try {
    const slug = `lists-${Date.now().toString(36)}`;
    const username = `${slug}-user`;
    await adminCall(url, 'POST', '/admin/accounts', { slug, name: 'List bench', plan: 'premium' });
    await adminCall(url, 'PATCH', `/admin/accounts/${slug}`, {
      settings: {
        plansync: { requests_per_minute: 100_000 },
        forward_planner: { limit_per_minute: 1_000_000, limit_per_hour: 1_000_000, limit_per_day: 1_000_000 },
        planfix: { daily_quota: 2_000_000_000, rate_per_second: 0 },
      },
    });
    await adminCall(url, 'POST', `/admin/accounts/${slug}/users`, { username, email: `${username}@bench.test`, role: 'admin' });
    const key = (await adminCall(url, 'POST', `/admin/accounts/${slug}/users/${username}/keys`, { name: 'lists' })).key as string;
    const [{ id: accountId }] = await store.query<{ id: string }>(`SELECT id FROM accounts WHERE slug = $1`, [slug]);
    const [{ id: userId }] = await store.query<{ id: string }>(`SELECT id FROM users WHERE username = $1`, [username]);

    // the listed scope, through the protocols
    for (let i = 0; i < 100; i++) {
      await call(
        url,
        'POST',
        `/api/v1/touchpoints?year=${LISTED_YEAR}`,
        { 'X-API-Key': key },
        {
          company_name: `Client ${i % 10}`,
          touchpoints: `Review ${i}`,
          reporting_quarter: 'Q2',
          reporting_year: String(LISTED_YEAR),
          time_spent: 30,
        },
      );
    }
    await adminCall(
      url,
      'POST',
      `/admin/accounts/${slug}/events`,
      Array.from({ length: 100 }, (_, i) => ({
        itemId: 1 + i,
        summary: `Listed event ${i}`,
        startDate: LISTED_DAY,
        description: 'x'.repeat(200),
        // what the reference lists list: 20 categories, 10 event types, 5 countries
        categories: [{ categoryId: 1 + (i % 20), categoryName: `Category ${i % 20}`, categoryOrder: i % 20 }],
        eventTypes: [{ tagId: 1 + (i % 10), tagName: `Type ${i % 10}` }],
        countryId: 1 + (i % 5),
        countryName: `Country ${i % 5}`,
      })),
    );
    const token = ((await call(url, 'POST', '/api/v2/auth', {}, { username, password: key })) as { token: string }).token;
    const basic = { Authorization: `Basic ${Buffer.from(`${key}:${key}`).toString('base64')}`, 'Content-Type': 'application/xml' };
    const xml = (method: string, inner: string) =>
      call(url, 'POST', '/xml/', basic, `<request method="${method}"><account>${slug}</account>${inner}</request>`);
    const projectId = /<id>(\d+)<\/id>/.exec((await xml('project.add', '<project><title>Listed project</title></project>')) as string)![1];
    for (let i = 0; i < 100; i++)
      await xml('task.add', `<task><title>Listed task ${i}</title><project><id>${projectId}</id></project></task>`);

    const routes: ListRoute[] = [
      {
        name: `PlanSync touchpoints of a year (100)`,
        table: 'touchpoints',
        request: () => fetch(`${url}/api/v1/touchpoints?year=${LISTED_YEAR}`, { headers: { 'X-API-Key': key } }),
      },
      {
        name: `Forward Planner events/date (100)`,
        table: 'events',
        request: () =>
          fetch(`${url}/api/v2/events/date?date=${LISTED_DAY.replaceAll('-', '')}&limit=100`, {
            headers: { Authorization: `Bearer ${token}` },
          }),
      },
      ...(['categories', 'eventtypes', 'countries'] as const).map((list) => ({
        name: `Forward Planner ${list} of the events`,
        table: 'events' as const,
        request: () => fetch(`${url}/api/v2/${list}`, { headers: { Authorization: `Bearer ${token}` } }),
      })),
      {
        name: `Planfix task.getList of a project (100)`,
        table: 'tasks',
        request: () =>
          fetch(`${url}/xml/`, {
            method: 'POST',
            headers: basic,
            body: `<request method="task.getList"><account>${slug}</account><project><id>${projectId}</id></project><pageSize>100</pageSize></request>`,
          }),
      },
    ];

    const [{ id: bulkCompany }] = await store.query<{ id: string }>(
      `INSERT INTO companies (account_id, name) VALUES ($1, 'Bulk Co') RETURNING id`,
      [accountId],
    );
    await store.query(
      `INSERT INTO projects (account_id, title, slug, owner_user_id) SELECT $1, 'Bulk project ' || g, 'bulk-' || g, $2 FROM generate_series(1, 1000) g`,
      [accountId, userId],
    );
    const figures: ScalingFigure[] = [];
    for (const size of options.sizes) {
      for (const route of routes) {
        const started = Date.now();
        const rows = await growTo(store, route.table, size, { accountId, userId, bulkCompany });
        options.log(
          `  ${route.table}: ${rows.toLocaleString('en')} rows of the account (${((Date.now() - started) / 1000).toFixed(1)} s to load)`,
        );
      }
      await store.query('ANALYZE touchpoints, events, event_refs, event_ref_heads, tasks');
      for (const route of routes) {
        const times = await timeRequests(route, options.requests);
        figures.push({ list: route.name, rows: size, p50: percentile(times, 0.5), p99: percentile(times, 0.99) });
      }
    }
    return figures;
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Adds rows outside the listed scope until the account has `size` rows in the table; answers the count reached. */
async function growTo(
  store: StoreService,
  table: ListRoute['table'],
  size: number,
  ids: { accountId: string; userId: string; bulkCompany: string },
): Promise<number> {
  const count = async () =>
    (await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE account_id = $1`, [ids.accountId]))[0].n;
  const CHUNK = 100_000;
  // bulk rows are numbered from 1,000,001 (item ids, task numbers): the listed ones stay below
  const lastBulk = async () =>
    table === 'touchpoints'
      ? 0
      : (
          await store.query<{ n: number }>(
            `SELECT greatest(max(${table === 'events' ? 'item_id' : 'general'}) - 1000000, 0)::int AS n FROM ${table} WHERE account_id = $1`,
            [ids.accountId],
          )
        )[0].n;
  for (let have = await count(); have < size; have = await count()) {
    const from = (await lastBulk()) + 1;
    const to = from + Math.min(CHUNK, size - have) - 1;
    if (table === 'touchpoints') {
      await store.query(
        `INSERT INTO touchpoints (unid, account_id, year, company_id, touchpoints, reporting_quarter, reporting_year, date, time_spent, include_in_annual_review_report, created_by)
         SELECT gen_random_uuid(), $1, y, $2, 'Bulk touchpoint ' || g, 'Q' || (1 + g % 4), y::text, make_date(y, 1 + g % 12, 1 + g % 28), g % 120, 'No', 'bench'
           FROM generate_series($3::int, $4::int) g, LATERAL (SELECT 1950 + g % 76 AS y) years`,
        [ids.accountId, ids.bulkCompany, from, to],
      );
    } else if (table === 'events') {
      // copies of a listed event on other days (spanning up to 3 days, none touching the listed day)
      await store.query(
        `INSERT INTO events (account_id, item_id, body, server_fields_at, start_date, end_date, "time", is_headline, country_id, category_ids, event_type_ids, product_ids,
                             embargo_ms, search_text, created_ms, edited_ms)
         SELECT t.account_id, 1000000 + g, t.body, t.server_fields_at, d.start_date, d.start_date + g % 3, t."time", t.is_headline, t.country_id, t.category_ids, t.event_type_ids,
                t.product_ids, NULL, t.search_text, t.created_ms, t.edited_ms
           FROM (SELECT * FROM events WHERE account_id = $1 LIMIT 1) t, generate_series($2::int, $3::int) g,
                LATERAL (SELECT date '2000-01-01' + g % 21900 AS start_date) d
          WHERE NOT (d.start_date <= $4::date AND d.start_date + g % 3 >= $4::date)`,
        [ids.accountId, from, to, LISTED_DAY],
      );
      // what the import keeps for the reference lists, for these rows as it would for imported ones
      const items = Array.from({ length: to - from + 1 }, (_, i) => 1_000_000 + from + i);
      const keys = await store.query<{ kind: string; product_id: number; ref_id: number }>(ADD_EVENT_REFS_SQL, [ids.accountId, items]);
      await store.query(REFRESH_EVENT_REF_HEADS_SQL, [
        ids.accountId,
        keys.map((k) => k.kind),
        keys.map((k) => k.product_id),
        keys.map((k) => k.ref_id),
      ]);
    } else {
      // numbered here: the per-row counter update of the general trigger makes one huge INSERT quadratic
      await store.query(
        `WITH bulk AS (SELECT array_agg(id) AS ids FROM projects WHERE account_id = $1 AND slug LIKE 'bulk-%')
         INSERT INTO tasks (account_id, general, title, owner_user_id, project_id)
         SELECT $1, 1000000 + g, 'Bulk task ' || g, $2, bulk.ids[1 + g % cardinality(bulk.ids)] FROM bulk, generate_series($3::int, $4::int) g`,
        [ids.accountId, ids.userId, from, to],
      );
    }
  }
  return count();
}

async function timeRequests(route: ListRoute, n: number): Promise<number[]> {
  const once = async () => {
    const started = process.hrtime.bigint();
    const res = await route.request().catch((e: Error) => {
      throw new Error(`${route.name}: ${e.message} (${String((e.cause as Error | undefined)?.message ?? '')})`);
    });
    const body = await res.text();
    if (!res.ok || body.includes('status="error"')) throw new Error(`${route.name}: ${res.status} ${body.slice(0, 200)}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  // The embedded store runs the bulk load on this thread: a keep-alive socket can be closed by the server the moment
  // the loop frees up, as the client reuses it. The warm-up takes that one reset; the measured requests may not.
  for (let i = 0; i < Math.min(20, n); i++) await once().catch(() => once());
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await once());
  return times;
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function call(url: string, method: string, path: string, headers: Record<string, string>, body: unknown): Promise<unknown> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url + path, {
    method,
    headers: { ...(typeof body === 'string' ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: text,
  });
  const answer = await res.text();
  if (!res.ok || answer.includes('status="error"')) throw new Error(`${method} ${path}: ${res.status} ${answer.slice(0, 300)}`);
  return answer.startsWith('{') || answer.startsWith('[') ? JSON.parse(answer) : answer;
}
