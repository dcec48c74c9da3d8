/**
 * The SQL of the event feed, visible and compared with the committed copies in
 * libs/store/queries/ by a test (the page queries as rendered without filters): a change to a query that every
 * poll pays for shows up in review.
 *
 * Page parameters: $1 account, $2 the account's product id, $3 now (epoch ms), $4 embargo access, then the
 * selection ($5, $6), then each filter, then limit and offset.
 */

// the body as its stored JSON text and where the server's fields go in it: the wire rendering splices them in there,
// so it is never parsed, scanned or re-serialised
const EVENT_COLUMNS = `e.body::text AS body, e.server_fields_at, e.created_ms::float8 AS created_ms, e.edited_ms::float8 AS edited_ms, e.deleted, e.deleted_ms::float8 AS deleted_ms`;

/**
 * Visible to the caller: its account, its product (or every product), not under embargo for it. `product_ids = '{}'`
 * rather than `cardinality(...) = 0`: the planner knows how common it is, and so walks the page's index in order.
 */
const VISIBLE = `e.account_id = $1
   AND (e.product_ids = '{}'::int[] OR $2::int = ANY(e.product_ids))
   AND ($4::boolean OR e.embargo_ms IS NULL OR e.embargo_ms <= $3::bigint)`;

export type PageKind = 'date' | 'between' | 'latest' | 'latest-embargoed';

/**
 * An event that reaches day $5 started at most the account's longest span before it (ix_events__span answers the
 * max from the index): the bound that keeps a day's scan to the days that can reach it, whatever the history.
 */
const REACHES_DAY_5 = `e.end_date >= $5::date
   AND e.start_date >= $5::date - (SELECT coalesce(max(s.end_date - s.start_date), 0) FROM events s WHERE s.account_id = $1)`;

const SELECTIONS: Record<PageKind, { where: string; order: string }> = {
  // every day of a multi-day event; all-day ("" time) first
  date: {
    where: `NOT e.deleted AND e.start_date <= $5::date AND ${REACHES_DAY_5}`,
    order: `e.start_date, e."time" COLLATE "C", e.item_id`,
  },
  between: {
    where: `NOT e.deleted AND e.start_date <= $6::date AND ${REACHES_DAY_5}`,
    order: `e.start_date, e."time" COLLATE "C", e.item_id`,
  },
  // tombstones included; a caller without embargo access sees an embargoed event change when it is released
  latest: { where: `e.released_ms >= $5::bigint`, order: `e.released_ms, e.item_id` },
  'latest-embargoed': { where: `e.edited_ms >= $5::bigint`, order: `e.edited_ms, e.item_id` },
};

/** Extra conditions, each on its own numbered parameter. */
export type PageFilter = 'categoryIds' | 'eventTypeIds' | 'countryIds' | 'keyword' | 'isHeadline';

const FILTERS: Record<PageFilter, (n: number) => string> = {
  categoryIds: (n) => `e.category_ids && $${n}::int[]`,
  eventTypeIds: (n) => `e.event_type_ids && $${n}::int[]`,
  countryIds: (n) => `e.country_id = ANY($${n}::int[])`,
  keyword: (n) => `strpos(e.search_text, $${n}::text) > 0`,
  isHeadline: (n) => `e.is_headline = $${n}::boolean`,
};

/** One page of events: the selection, the filters given (in this order), then LIMIT and OFFSET. */
export function eventPageSql(kind: PageKind, filters: PageFilter[]): string {
  const selection = SELECTIONS[kind];
  const first = kind === 'between' ? 7 : 6;
  const conditions = filters.map((f, i) => `\n   AND ${FILTERS[f](first + i)}`).join('');
  const n = first + filters.length;
  return `SELECT ${EVENT_COLUMNS}
  FROM events e
 WHERE ${VISIBLE}
   AND ${selection.where}${conditions}
 ORDER BY ${selection.order}
 LIMIT $${n} OFFSET $${n + 1}
`;
}

export const EVENTS_BY_DATE_SQL = eventPageSql('date', []);
export const EVENTS_BETWEEN_SQL = eventPageSql('between', []);
export const EVENTS_LATEST_SQL = eventPageSql('latest', []);
export const EVENTS_LATEST_EMBARGOED_SQL = eventPageSql('latest-embargoed', []);

/** One event of the account, whatever its visibility: the caller decides between 403 and 200. */
export const EVENT_BY_ID_SQL = `SELECT ${EVENT_COLUMNS}, e.product_ids, e.embargo_ms::float8 AS embargo_ms
  FROM events e
 WHERE e.account_id = $1 AND e.item_id = $2
`;

/**
 * Upserts a batch ($2: a JSON array of rows) at the transaction's instant. A row equal to the stored one (content
 * and products) is left alone, stamps included; a changed one gets a new edited instant and a tombstone is revived,
 * unless the row says the source edited it before the deletion (source_edited_ms ≤ deleted_ms): a stale re-send,
 * left out like an unchanged row.
 */
export const UPSERT_EVENTS_SQL = `WITH t AS (SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS ms)
INSERT INTO events (account_id, item_id, body, server_fields_at, start_date, end_date, "time", is_headline, country_id, category_ids,
                    event_type_ids, product_ids, embargo_ms, search_text, created_ms, edited_ms, deleted, deleted_ms)
SELECT $1, r.item_id, r.body, r.server_fields_at, r.start_date, r.end_date, r."time", r.is_headline, r.country_id, r.category_ids,
       r.event_type_ids, r.product_ids, r.embargo_ms, r.search_text, t.ms, t.ms, false, NULL
  FROM t, json_to_recordset($2::json) AS r(item_id int, body json, server_fields_at int, start_date date, end_date date, "time" text,
       is_headline boolean, country_id int, category_ids int[], event_type_ids int[], product_ids int[],
       embargo_ms bigint, search_text text, source_edited_ms bigint)
 WHERE NOT EXISTS (SELECT 1 FROM events d
                    WHERE d.account_id = $1 AND d.item_id = r.item_id AND d.deleted AND r.source_edited_ms <= d.deleted_ms)
ON CONFLICT (account_id, item_id) DO UPDATE
   SET body = excluded.body, server_fields_at = excluded.server_fields_at, start_date = excluded.start_date, end_date = excluded.end_date, "time" = excluded."time",
       is_headline = excluded.is_headline, country_id = excluded.country_id, category_ids = excluded.category_ids,
       event_type_ids = excluded.event_type_ids, product_ids = excluded.product_ids, embargo_ms = excluded.embargo_ms,
       search_text = excluded.search_text, edited_ms = excluded.edited_ms, deleted = false, deleted_ms = NULL
 WHERE events.deleted
    OR events.product_ids IS DISTINCT FROM excluded.product_ids
    OR events.body::jsonb IS DISTINCT FROM excluded.body::jsonb
RETURNING (xmax = 0) AS inserted, item_id
`;

/** Makes a tombstone now: content kept, deletion and edited instants set. No row: already one, or unknown. */
export const DELETE_EVENT_SQL = `WITH t AS (SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS ms)
UPDATE events e SET deleted = true, deleted_ms = t.ms, edited_ms = t.ms
  FROM t
 WHERE e.account_id = $1 AND e.item_id = $2 AND NOT e.deleted
RETURNING e.deleted_ms::float8 AS deleted_ms
`;

// --- reference lists: the account's non-deleted, product-entitled events, embargo ignored; the latest edit names ---
//
// Read from event_ref_heads, kept by the import and the delete in their transaction, so that a list costs what its
// entries do, not what the account's events do. event_refs holds each live event's entries, once per product it is
// in (product 0: an event of every product); event_ref_heads the latest of them (edited_ms, then item_id, both
// descending: the entry of the event edited last names the entry) per kind, product and id. A viewer of product P
// sees the events of P and those of every product: its list is, per id, the later of the heads of P and of 0.

/**
 * Serialises the upkeep of one account's lists: two transactions refreshing the same heads each from what it sees
 * would leave the heads of the one that committed last, without the other's entries. Classid 20 (this lib's).
 */
export const LOCK_EVENT_REFS_SQL = `SELECT pg_advisory_xact_lock(20, hashtext($1::text))`;

/** Drops the entries of events $2 (about to change), answering the heads they may have been. */
export const DROP_EVENT_REFS_SQL = `WITH gone AS (
  DELETE FROM event_refs r WHERE r.account_id = $1 AND r.item_id = ANY($2::int[])
  RETURNING r.kind, r.product_id, r.ref_id)
SELECT DISTINCT kind, product_id, ref_id FROM gone
`;

/**
 * The entries of the live events among $2, as the lists read them: each element of `categories` then
 * `primaryCategory` (an event naming one id twice keeps its first), each of `eventTypes`, and the country (the
 * `country` object's id, else the event's countryId; 0 is none). Answers the heads they may now be.
 */
export const ADD_EVENT_REFS_SQL = `WITH fresh AS (
INSERT INTO event_refs (account_id, kind, product_id, ref_id, item_id, edited_ms, entry)
SELECT DISTINCT ON (x.kind, p.product_id, x.ref_id, x.item_id) $1, x.kind, p.product_id, x.ref_id, x.item_id, x.edited_ms, x.entry
  FROM (SELECT 'category' AS kind, (c.value->>'categoryId')::int AS ref_id, e.item_id, e.edited_ms, c.value AS entry, e.product_ids, c.n AS rank
          FROM events e CROSS JOIN LATERAL json_array_elements(e.body->'categories') WITH ORDINALITY AS c(value, n)
         WHERE e.account_id = $1 AND e.item_id = ANY($2::int[]) AND NOT e.deleted
        UNION ALL
        SELECT 'category', (e.body->'primaryCategory'->>'categoryId')::int, e.item_id, e.edited_ms, e.body->'primaryCategory', e.product_ids, 2147483647
          FROM events e
         WHERE e.account_id = $1 AND e.item_id = ANY($2::int[]) AND NOT e.deleted AND json_typeof(e.body->'primaryCategory') = 'object'
        UNION ALL
        SELECT 'event_type', (t.value->>'tagId')::int, e.item_id, e.edited_ms, t.value, e.product_ids, t.n
          FROM events e CROSS JOIN LATERAL json_array_elements(e.body->'eventTypes') WITH ORDINALITY AS t(value, n)
         WHERE e.account_id = $1 AND e.item_id = ANY($2::int[]) AND NOT e.deleted
        UNION ALL
        SELECT 'country', CASE WHEN json_typeof(e.body->'country') = 'object' THEN (e.body->'country'->>'countryId')::int ELSE e.country_id END,
               e.item_id, e.edited_ms,
               json_build_object('country', CASE WHEN json_typeof(e.body->'country') = 'object' THEN e.body->'country' END,
                                 'countryName', e.body->>'countryName'), e.product_ids, 0
          FROM events e
         WHERE e.account_id = $1 AND e.item_id = ANY($2::int[]) AND NOT e.deleted) AS x
  CROSS JOIN LATERAL unnest(CASE WHEN x.product_ids = '{}'::int[] THEN '{0}'::int[] ELSE x.product_ids END) AS p(product_id)
 WHERE x.ref_id IS NOT NULL AND (x.kind <> 'country' OR x.ref_id <> 0)
 ORDER BY x.kind, p.product_id, x.ref_id, x.item_id, x.rank
RETURNING kind, product_id, ref_id)
SELECT DISTINCT kind, product_id, ref_id FROM fresh
`;

/**
 * Sets the heads of the keys ($2 kinds, $3 products, $4 ids) from event_refs: the latest entry of each (one index
 * probe per key), and no head where no entry is left.
 */
export const REFRESH_EVENT_REF_HEADS_SQL = `WITH k AS (SELECT DISTINCT * FROM unnest($2::text[], $3::int[], $4::int[]) AS k(kind, product_id, ref_id)),
emptied AS (
  DELETE FROM event_ref_heads h USING k
   WHERE h.account_id = $1 AND h.kind = k.kind AND h.product_id = k.product_id AND h.ref_id = k.ref_id
     AND NOT EXISTS (SELECT 1 FROM event_refs r
                      WHERE r.account_id = $1 AND r.kind = k.kind AND r.product_id = k.product_id AND r.ref_id = k.ref_id))
INSERT INTO event_ref_heads (account_id, kind, product_id, ref_id, item_id, edited_ms, entry)
SELECT $1, k.kind, k.product_id, k.ref_id, l.item_id, l.edited_ms, l.entry
  FROM k CROSS JOIN LATERAL (
         SELECT r.item_id, r.edited_ms, r.entry FROM event_refs r
          WHERE r.account_id = $1 AND r.kind = k.kind AND r.product_id = k.product_id AND r.ref_id = k.ref_id
          ORDER BY r.edited_ms DESC, r.item_id DESC LIMIT 1) AS l
ON CONFLICT (account_id, kind, product_id, ref_id)
   DO UPDATE SET item_id = excluded.item_id, edited_ms = excluded.edited_ms, entry = excluded.entry
`;

/** One list ($3: its kind) for a viewer of product $2: per id, the later head of its product and of every product. */
const LIST_HEADS = `SELECT DISTINCT ON (h.ref_id) h.ref_id, h.entry
  FROM event_ref_heads h
 WHERE h.account_id = $1 AND h.kind = $3 AND h.product_id IN (0, $2::int)
 ORDER BY h.ref_id, h.edited_ms DESC, h.item_id DESC
`;

export const CATEGORIES_SQL = LIST_HEADS.replace('$3', `'category'`);

export const EVENT_TYPES_SQL = LIST_HEADS.replace('$3', `'event_type'`);

export const COUNTRIES_SQL = `SELECT x.ref_id AS id, x.entry->'country' AS country, x.entry->>'countryName' AS country_name
  FROM (${LIST_HEADS.replace('$3', `'country'`).trimEnd()}) AS x
 ORDER BY x.ref_id
`;
