SELECT DISTINCT ON ((t->>'tagId')::int) t AS entry
  FROM events e CROSS JOIN LATERAL json_array_elements(e.body->'eventTypes') AS t
 WHERE e.account_id = $1 AND NOT e.deleted AND (e.product_ids = '{}'::int[] OR $2::int = ANY(e.product_ids))
 ORDER BY (t->>'tagId')::int, e.edited_ms DESC, e.item_id DESC
