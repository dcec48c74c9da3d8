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
 * and products) is left alone, stamps included; a changed one gets a new edited instant and a tombstone is revived.
 */
export const UPSERT_EVENTS_SQL = `WITH t AS (SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS ms)
INSERT INTO events (account_id, item_id, body, server_fields_at, start_date, end_date, "time", is_headline, country_id, category_ids,
                    event_type_ids, product_ids, embargo_ms, search_text, created_ms, edited_ms, deleted, deleted_ms)
SELECT $1, r.item_id, r.body, r.server_fields_at, r.start_date, r.end_date, r."time", r.is_headline, r.country_id, r.category_ids,
       r.event_type_ids, r.product_ids, r.embargo_ms, r.search_text, t.ms, t.ms, false, NULL
  FROM t, json_to_recordset($2::json) AS r(item_id int, body json, server_fields_at int, start_date date, end_date date, "time" text,
       is_headline boolean, country_id int, category_ids int[], event_type_ids int[], product_ids int[],
       embargo_ms bigint, search_text text)
ON CONFLICT (account_id, item_id) DO UPDATE
   SET body = excluded.body, server_fields_at = excluded.server_fields_at, start_date = excluded.start_date, end_date = excluded.end_date, "time" = excluded."time",
       is_headline = excluded.is_headline, country_id = excluded.country_id, category_ids = excluded.category_ids,
       event_type_ids = excluded.event_type_ids, product_ids = excluded.product_ids, embargo_ms = excluded.embargo_ms,
       search_text = excluded.search_text, edited_ms = excluded.edited_ms, deleted = false, deleted_ms = NULL
 WHERE events.deleted
    OR events.product_ids IS DISTINCT FROM excluded.product_ids
    OR events.body::jsonb IS DISTINCT FROM excluded.body::jsonb
RETURNING (xmax = 0) AS inserted
`;

/** Makes a tombstone now: content kept, deletion and edited instants set. No row: already one, or unknown. */
export const DELETE_EVENT_SQL = `WITH t AS (SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS ms)
UPDATE events e SET deleted = true, deleted_ms = t.ms, edited_ms = t.ms
  FROM t
 WHERE e.account_id = $1 AND e.item_id = $2 AND NOT e.deleted
RETURNING e.deleted_ms::float8 AS deleted_ms
`;

// --- reference lists: the account's non-deleted, product-entitled events, embargo ignored; the latest edit names ---

const ENTITLED = `e.account_id = $1 AND NOT e.deleted AND (e.product_ids = '{}'::int[] OR $2::int = ANY(e.product_ids))`;

export const CATEGORIES_SQL = `SELECT DISTINCT ON (x.id) x.entry
  FROM (SELECT (c->>'categoryId')::int AS id, c AS entry, e.edited_ms, e.item_id
          FROM events e CROSS JOIN LATERAL json_array_elements(e.body->'categories') AS c
         WHERE ${ENTITLED}
        UNION ALL
        SELECT (e.body->'primaryCategory'->>'categoryId')::int, e.body->'primaryCategory', e.edited_ms, e.item_id
          FROM events e
         WHERE ${ENTITLED} AND json_typeof(e.body->'primaryCategory') = 'object') AS x
 ORDER BY x.id, x.edited_ms DESC, x.item_id DESC
`;

export const EVENT_TYPES_SQL = `SELECT DISTINCT ON ((t->>'tagId')::int) t AS entry
  FROM events e CROSS JOIN LATERAL json_array_elements(e.body->'eventTypes') AS t
 WHERE ${ENTITLED}
 ORDER BY (t->>'tagId')::int, e.edited_ms DESC, e.item_id DESC
`;

export const COUNTRIES_SQL = `SELECT DISTINCT ON (x.id) x.id, x.country, x.country_name
  FROM (SELECT CASE WHEN json_typeof(e.body->'country') = 'object' THEN (e.body->'country'->>'countryId')::int ELSE e.country_id END AS id,
               CASE WHEN json_typeof(e.body->'country') = 'object' THEN e.body->'country' END AS country,
               e.body->>'countryName' AS country_name, e.edited_ms, e.item_id
          FROM events e
         WHERE ${ENTITLED}) AS x
 WHERE x.id <> 0
 ORDER BY x.id, x.edited_ms DESC, x.item_id DESC
`;
