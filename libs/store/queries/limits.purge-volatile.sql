DELETE FROM limit_counters_volatile
 WHERE key IN (SELECT key FROM limit_counters_volatile WHERE expires_at < now() - interval '1 minute' LIMIT $1)
