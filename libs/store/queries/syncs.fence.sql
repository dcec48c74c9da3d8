SELECT cancel_requested FROM retl_runs
 WHERE id = $1 AND claimed_by = $2 AND attempt = $3 AND status = 'running'
   FOR UPDATE
