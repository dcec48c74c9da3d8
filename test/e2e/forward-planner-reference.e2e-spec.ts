import { type Server } from 'node:http';
import { EventsService } from '#events';
import { StoreService } from '#store';
import { EventRefs1764159900000 } from '../../libs/store/src/migrations/1764159900000-event-refs.js';
import { admin, createAccountWithKey, type AccountWithKey } from '../factories/admin.factory.js';
import { fpClient, fpEvent, fpLogin, importEvents, newItemId } from '../factories/forward-planner.factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

jest.setTimeout(120_000);

// The scans the maintained tables replaced (events.queries.ts before event_ref_heads): the reference the lists must
// still answer exactly.
const ENTITLED = `e.account_id = $1 AND NOT e.deleted AND (e.product_ids = '{}'::int[] OR $2::int = ANY(e.product_ids))`;
const SCAN = {
  categories: `SELECT DISTINCT ON (x.id) x.entry
  FROM (SELECT (c->>'categoryId')::int AS id, c AS entry, e.edited_ms, e.item_id
          FROM events e CROSS JOIN LATERAL json_array_elements(e.body->'categories') AS c
         WHERE ${ENTITLED}
        UNION ALL
        SELECT (e.body->'primaryCategory'->>'categoryId')::int, e.body->'primaryCategory', e.edited_ms, e.item_id
          FROM events e
         WHERE ${ENTITLED} AND json_typeof(e.body->'primaryCategory') = 'object') AS x
 ORDER BY x.id, x.edited_ms DESC, x.item_id DESC`,
  eventTypes: `SELECT DISTINCT ON ((t->>'tagId')::int) t AS entry
  FROM events e CROSS JOIN LATERAL json_array_elements(e.body->'eventTypes') AS t
 WHERE ${ENTITLED}
 ORDER BY (t->>'tagId')::int, e.edited_ms DESC, e.item_id DESC`,
  countries: `SELECT DISTINCT ON (x.id) x.id, x.country, x.country_name
  FROM (SELECT CASE WHEN json_typeof(e.body->'country') = 'object' THEN (e.body->'country'->>'countryId')::int ELSE e.country_id END AS id,
               CASE WHEN json_typeof(e.body->'country') = 'object' THEN e.body->'country' END AS country,
               e.body->>'countryName' AS country_name, e.edited_ms, e.item_id
          FROM events e
         WHERE ${ENTITLED}) AS x
 WHERE x.id <> 0
 ORDER BY x.id, x.edited_ms DESC, x.item_id DESC`,
};

const category = (id: number, name: string, order = 1) => ({ categoryId: id, categoryName: name, categoryOrder: order });
const tag = (id: number, name: string) => ({ tagId: id, tagName: name });

/** Forward Planner's categories, eventtypes and countries read maintained tables: same answers as the scan. */
describe('Forward Planner reference lists', () => {
  let t: TestApp;
  let server: Server;

  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    server = t.app.getHttpServer();
  });
  afterAll(() => t.close());

  /** Every list for every product, as the service answers it and as the scan did. */
  async function compare(accountId: string, products: number[]): Promise<void> {
    const events = t.app.get(EventsService);
    const store = t.app.get(StoreService);
    for (const productId of products) {
      const v = { accountId, productId, embargoAccess: false, now: Date.now() };
      const scanned = async (sql: string) => store.query<Record<string, any>>(sql, [accountId, productId]);
      expect(await events.categories(v)).toEqual((await scanned(SCAN.categories)).map((r) => r.entry));
      expect(await events.eventTypes(v)).toEqual((await scanned(SCAN.eventTypes)).map((r) => r.entry));
      expect(await events.countries(v)).toEqual(
        (await scanned(SCAN.countries)).map((r) => ({ id: r.id, country: r.country, countryName: r.country_name ?? '' })),
      );
    }
  }

  async function accountIdOf(acct: AccountWithKey): Promise<string> {
    const [row] = await t.app.get(StoreService).query<{ id: string }>(`SELECT id FROM accounts WHERE slug = $1`, [acct.slug]);
    return row.id;
  }

  it('answers as the scan did through imports, re-imports, deletions and revivals, for every product', async () => {
    const acct = await createAccountWithKey(server);
    const accountId = await accountIdOf(acct);
    const products = [1, 10, 20, 30];
    const ids = Array.from({ length: 24 }, () => newItemId());
    // Overlapping ids with different names across events and products; a primary category that another event
    // lists; countries as an object, as a bare countryId, and none (0). (Not an id twice in one event: which of the
    // two the scan answered was whatever its sort left first; the tables answer the first, tested below.)
    const version = (n: number, round: number) =>
      fpEvent({
        itemId: ids[n],
        startDate: `2030-0${1 + (n % 9)}-1${n % 10}`,
        productIds: [[], [10], [10, 20], [20], [30]][(n + round) % 5],
        categories: [category(100 + (n % 4), `C${n % 4}-${n}-${round}`, n % 3), category(200 + (n % 3), `D-${n}`)],
        primaryCategory: n % 2 ? category(100 + ((n + 1) % 4), `P-${n}-${round}`) : null,
        eventTypes: [tag(300 + (n % 5), `T${n}-${round}`)],
        ...(n % 3 === 0
          ? {
              country: { countryId: 40 + (n % 4), countryName: `K${n}-${round}`, region: null, countryCode: 'KK' },
              countryId: 40 + (n % 4),
            }
          : n % 3 === 1
            ? { countryId: 40 + (n % 4), countryName: `N${n}-${round}` }
            : { countryId: 0 }),
      });
    await importEvents(
      server,
      acct.slug,
      ids.map((_, n) => version(n, 0)),
    ).expect(200);
    await compare(accountId, products);
    // a second round renames some and moves some between products
    await importEvents(
      server,
      acct.slug,
      ids.filter((_, n) => n % 2 === 0).map((_, i) => version(i * 2, 1)),
    ).expect(200);
    await compare(accountId, products);
    for (const n of [0, 3, 5, 8, 13]) await admin(server).delete(`/admin/accounts/${acct.slug}/events/${ids[n]}`).expect(200);
    await compare(accountId, products);
    // revive two, unchanged and changed
    await importEvents(server, acct.slug, [version(0, 1), version(3, 2)]).expect(200);
    await compare(accountId, products);
    // an unchanged re-import changes nothing
    await importEvents(server, acct.slug, [version(0, 1)]).expect(200);
    await compare(accountId, products);

    // The migration's backfill makes the very rows the imports and deletions kept: run again on these events (in a
    // transaction rolled back, so the store is left as it was), it gives this account the same entries and heads.
    const store = t.app.get(StoreService);
    const rowsOf = (table: string, tx?: Parameters<StoreService['query']>[2]) =>
      store.query(
        `SELECT kind, product_id, ref_id, item_id, edited_ms::text, entry::text FROM ${table} WHERE account_id = $1 ORDER BY 1, 2, 3, 4`,
        [accountId],
        tx,
      );
    const kept = { refs: await rowsOf('event_refs'), heads: await rowsOf('event_ref_heads') };
    expect(kept.heads.length).toBeGreaterThan(10);
    const rollback = new Error('rollback');
    await expect(
      store.transaction(async (tx) => {
        // in the order the import takes them: a concurrent import (on a shared PostgreSQL) waits, never deadlocks
        await store.query(`LOCK TABLE event_refs, event_ref_heads IN ACCESS EXCLUSIVE MODE`, [], tx);
        await store.query(`DROP TABLE event_ref_heads`, [], tx);
        await store.query(`DROP TABLE event_refs`, [], tx);
        await new EventRefs1764159900000().up(tx.queryRunner!);
        expect({ refs: await rowsOf('event_refs', tx), heads: await rowsOf('event_ref_heads', tx) }).toEqual(kept);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
  });

  it('a deletion or a re-import changes the lists at once', async () => {
    const acct = await createAccountWithKey(server);
    const s = await fpLogin(server, acct);
    const api = fpClient(server);
    const list = async (path: string) => (await api.get(`/api/v2/${path}`, s.token).expect(200)).body as Record<string, unknown>[];
    const older = fpEvent({
      categories: [category(501, 'Old name')],
      eventTypes: [tag(601, 'Old tag')],
      countryId: 71,
      countryName: 'Oldland',
    });
    const newer = fpEvent({
      categories: [category(501, 'New name')],
      eventTypes: [tag(601, 'New tag')],
      countryId: 71,
      countryName: 'Newland',
    });
    await importEvents(server, acct.slug, [older]).expect(200);
    await importEvents(server, acct.slug, [newer]).expect(200);
    // the event edited last names the entry
    expect((await list('categories')).map((c) => c.categoryName)).toEqual(['New name']);
    expect((await list('eventtypes')).map((c) => c.tagName)).toEqual(['New tag']);
    expect((await list('countries')).map((c) => c.countryName)).toEqual(['Newland']);

    // deleting it: the older event names them again
    await admin(server).delete(`/admin/accounts/${acct.slug}/events/${newer.itemId}`).expect(200);
    expect((await list('categories')).map((c) => c.categoryName)).toEqual(['Old name']);
    expect((await list('countries')).map((c) => c.countryName)).toEqual(['Oldland']);

    // re-importing the older one with another category: 501 is gone, 502 is there
    await importEvents(server, acct.slug, [{ ...older, categories: [category(502, 'Other')], eventTypes: [] }]).expect(200);
    expect((await list('categories')).map((c) => c.categoryId)).toEqual([502]);
    expect(await list('eventtypes')).toEqual([]);

    // the deleted one revived by its re-import
    await importEvents(server, acct.slug, [newer]).expect(200);
    expect((await list('categories')).map((c) => c.categoryId)).toEqual([501, 502]);
    expect((await list('eventtypes')).map((c) => c.tagName)).toEqual(['New tag']);

    // one id twice in an event: the first listed names it (`categories` before `primaryCategory`)
    await importEvents(server, acct.slug, [
      fpEvent({ categories: [category(504, 'First'), category(504, 'Second')], primaryCategory: category(504, 'Primary') }),
    ]).expect(200);
    expect((await list('categories')).find((c) => c.categoryId === 504)?.categoryName).toBe('First');

    // an event of another product leaves this account's product-1 lists alone
    await importEvents(server, acct.slug, [fpEvent({ categories: [category(503, 'Elsewhere')], productIds: [10] })]).expect(200);
    expect((await list('categories')).map((c) => c.categoryId)).toEqual([501, 502, 504]);
    await admin(server)
      .patch(`/admin/accounts/${acct.slug}`, { settings: { forward_planner: { product_id: 10 } } })
      .expect(200);
    const p10 = await fpLogin(server, acct);
    expect(
      ((await api.get('/api/v2/categories', p10.token).expect(200)).body as { categoryId: number }[]).map((c) => c.categoryId),
    ).toEqual([501, 502, 503, 504]);
  });
});
