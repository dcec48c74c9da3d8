WITH fresh AS (
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
