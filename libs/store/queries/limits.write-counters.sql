INSERT INTO limit_counters AS c (key, state, expires_at)
SELECT r.key, jsonb_build_object('w', r.w), to_timestamp(r.e / 1000.0)
  FROM jsonb_to_recordset($1::jsonb) AS r(key text, w jsonb, e bigint)
ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at
