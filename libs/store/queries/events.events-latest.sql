SELECT e.body::text AS body, e.server_fields_at, e.created_ms::float8 AS created_ms, e.edited_ms::float8 AS edited_ms, e.deleted, e.deleted_ms::float8 AS deleted_ms
  FROM events e
 WHERE e.account_id = $1
   AND (e.product_ids = '{}'::int[] OR $2::int = ANY(e.product_ids))
   AND ($4::boolean OR e.embargo_ms IS NULL OR e.embargo_ms <= $3::bigint)
   AND e.released_ms >= $5::bigint
 ORDER BY e.released_ms, e.item_id
 LIMIT $6 OFFSET $7
