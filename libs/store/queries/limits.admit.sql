INSERT INTO limit_counters AS c (key, state, expires_at)
SELECT $1, limit_eval(NULL, $2::jsonb, $3::bigint, $4::int), to_timestamp($5::bigint / 1000.0)
  FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
 WHERE true
ON CONFLICT (key) DO UPDATE
   SET state = limit_eval(CASE WHEN c.expires_at > to_timestamp($3::bigint / 1000.0) THEN c.state END,
                          $2::jsonb, $3::bigint, $4::int),
       expires_at = to_timestamp($5::bigint / 1000.0)
RETURNING state->'a' AS admitted, state->'r' AS results
