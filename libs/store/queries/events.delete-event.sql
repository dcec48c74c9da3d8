WITH t AS (SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS ms)
UPDATE events e SET deleted = true, deleted_ms = t.ms, edited_ms = t.ms
  FROM t
 WHERE e.account_id = $1 AND e.item_id = $2 AND NOT e.deleted
RETURNING e.deleted_ms::float8 AS deleted_ms
