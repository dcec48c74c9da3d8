SELECT e.body::text AS body, e.server_fields_at, e.created_ms::float8 AS created_ms, e.edited_ms::float8 AS edited_ms, e.deleted, e.deleted_ms::float8 AS deleted_ms
  FROM events e
 WHERE e.account_id = $1
   AND (e.product_ids = '{}'::int[] OR $2::int = ANY(e.product_ids))
   AND ($4::boolean OR e.embargo_ms IS NULL OR e.embargo_ms <= $3::bigint)
   AND NOT e.deleted AND e.start_date <= $6::date AND e.end_date >= $5::date
   AND e.start_date >= $5::date - (SELECT coalesce(max(s.end_date - s.start_date), 0) FROM events s WHERE s.account_id = $1)
 ORDER BY e.start_date, e."time" COLLATE "C", e.item_id
 LIMIT $7 OFFSET $8
