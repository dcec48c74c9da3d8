DELETE FROM limit_counters
 WHERE key IN (SELECT key FROM limit_counters WHERE expires_at < now() - interval '1 minute' LIMIT $1)
