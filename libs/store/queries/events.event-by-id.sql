SELECT e.body::text AS body, e.server_fields_at, e.created_ms::float8 AS created_ms, e.edited_ms::float8 AS edited_ms, e.deleted, e.deleted_ms::float8 AS deleted_ms, e.product_ids, e.embargo_ms::float8 AS embargo_ms
  FROM events e
 WHERE e.account_id = $1 AND e.item_id = $2
