WITH t AS (SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS ms)
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
