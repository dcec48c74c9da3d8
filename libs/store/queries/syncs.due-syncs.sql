SELECT id, account_id, schedule, next_run_at FROM retl_syncs
 WHERE enabled AND deleted_at IS NULL AND next_run_at <= now()
 ORDER BY next_run_at
 LIMIT 100
