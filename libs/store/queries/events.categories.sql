SELECT DISTINCT ON (x.id) x.entry
  FROM (SELECT (c->>'categoryId')::int AS id, c AS entry, e.edited_ms, e.item_id
          FROM events e CROSS JOIN LATERAL json_array_elements(e.body->'categories') AS c
         WHERE e.account_id = $1 AND NOT e.deleted AND (e.product_ids = '{}'::int[] OR $2::int = ANY(e.product_ids))
        UNION ALL
        SELECT (e.body->'primaryCategory'->>'categoryId')::int, e.body->'primaryCategory', e.edited_ms, e.item_id
          FROM events e
         WHERE e.account_id = $1 AND NOT e.deleted AND (e.product_ids = '{}'::int[] OR $2::int = ANY(e.product_ids)) AND json_typeof(e.body->'primaryCategory') = 'object') AS x
 ORDER BY x.id, x.edited_ms DESC, x.item_id DESC
