import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Forward Planner's reference lists (categories, event types, countries) without a scan of every event's JSON:
 * `event_refs` holds each live event's entries, once per product it is in (product 0: every product), and
 * `event_ref_heads` the latest entry per kind, product and id, which a list reads. The event import and delete keep
 * both in their transaction (#events' events.queries.ts); this migration fills them from the events there are.
 */
export class EventRefs1764159900000 implements MigrationInterface {
  name = 'EventRefs1764159900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_refs (
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        kind text NOT NULL CONSTRAINT ck_event_refs__kind CHECK (kind IN ('category', 'event_type', 'country')),
        product_id integer NOT NULL,
        ref_id integer NOT NULL,
        item_id integer NOT NULL,
        edited_ms bigint NOT NULL,
        entry json NOT NULL,
        CONSTRAINT pk_event_refs PRIMARY KEY (account_id, kind, product_id, ref_id, item_id)
      )`);
    // a head's refresh: the latest entry of one id, one index probe
    await q.query(`CREATE INDEX ix_event_refs__latest ON event_refs (account_id, kind, product_id, ref_id, edited_ms DESC, item_id DESC)`);
    // an event's entries, dropped when it changes
    await q.query(`CREATE INDEX ix_event_refs__item ON event_refs (account_id, item_id)`);
    await q.query(`
      CREATE TABLE event_ref_heads (
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        kind text NOT NULL CONSTRAINT ck_event_ref_heads__kind CHECK (kind IN ('category', 'event_type', 'country')),
        product_id integer NOT NULL,
        ref_id integer NOT NULL,
        item_id integer NOT NULL,
        edited_ms bigint NOT NULL,
        entry json NOT NULL,
        CONSTRAINT pk_event_ref_heads PRIMARY KEY (account_id, kind, product_id, ref_id)
      )`);

    // The backfill: the entries of every live event, as ADD_EVENT_REFS_SQL makes them, then every head.
    await q.query(`
      INSERT INTO event_refs (account_id, kind, product_id, ref_id, item_id, edited_ms, entry)
      SELECT DISTINCT ON (x.account_id, x.kind, p.product_id, x.ref_id, x.item_id)
             x.account_id, x.kind, p.product_id, x.ref_id, x.item_id, x.edited_ms, x.entry
        FROM (SELECT e.account_id, 'category' AS kind, (c.value->>'categoryId')::int AS ref_id, e.item_id, e.edited_ms, c.value AS entry,
                     e.product_ids, c.n AS rank
                FROM events e CROSS JOIN LATERAL json_array_elements(e.body->'categories') WITH ORDINALITY AS c(value, n)
               WHERE NOT e.deleted
              UNION ALL
              SELECT e.account_id, 'category', (e.body->'primaryCategory'->>'categoryId')::int, e.item_id, e.edited_ms, e.body->'primaryCategory',
                     e.product_ids, 2147483647
                FROM events e
               WHERE NOT e.deleted AND json_typeof(e.body->'primaryCategory') = 'object'
              UNION ALL
              SELECT e.account_id, 'event_type', (t.value->>'tagId')::int, e.item_id, e.edited_ms, t.value, e.product_ids, t.n
                FROM events e CROSS JOIN LATERAL json_array_elements(e.body->'eventTypes') WITH ORDINALITY AS t(value, n)
               WHERE NOT e.deleted
              UNION ALL
              SELECT e.account_id, 'country',
                     CASE WHEN json_typeof(e.body->'country') = 'object' THEN (e.body->'country'->>'countryId')::int ELSE e.country_id END,
                     e.item_id, e.edited_ms,
                     json_build_object('country', CASE WHEN json_typeof(e.body->'country') = 'object' THEN e.body->'country' END,
                                       'countryName', e.body->>'countryName'), e.product_ids, 0
                FROM events e
               WHERE NOT e.deleted) AS x
        CROSS JOIN LATERAL unnest(CASE WHEN x.product_ids = '{}'::int[] THEN '{0}'::int[] ELSE x.product_ids END) AS p(product_id)
       WHERE x.ref_id IS NOT NULL AND (x.kind <> 'country' OR x.ref_id <> 0)
       ORDER BY x.account_id, x.kind, p.product_id, x.ref_id, x.item_id, x.rank`);
    await q.query(`
      INSERT INTO event_ref_heads (account_id, kind, product_id, ref_id, item_id, edited_ms, entry)
      SELECT DISTINCT ON (account_id, kind, product_id, ref_id) account_id, kind, product_id, ref_id, item_id, edited_ms, entry
        FROM event_refs
       ORDER BY account_id, kind, product_id, ref_id, edited_ms DESC, item_id DESC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_ref_heads`);
    await q.query(`DROP TABLE event_refs`);
  }
}
