DELETE FROM limit_counters WHERE expires_at < now() - interval '1 minute'
