UPDATE retl_runs SET lease_until = now() + make_interval(secs => $4::float8 / 1000)
 WHERE id = $1 AND claimed_by = $2 AND attempt = $3 AND status = 'running'
RETURNING cancel_requested
