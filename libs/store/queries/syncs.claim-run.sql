UPDATE retl_runs r
   SET status = 'running', claimed_by = $1, lease_until = now() + make_interval(secs => $2::float8 / 1000),
       attempt = r.attempt + 1, reclaims = r.reclaims + CASE WHEN c.status = 'running' THEN 1 ELSE 0 END,
       started_at = coalesce(r.started_at, now())
  FROM (SELECT q.id, q.status
          FROM retl_runs q
         WHERE (q.status = 'queued' AND NOT EXISTS (SELECT 1 FROM retl_runs o WHERE o.sync_id = q.sync_id AND o.status = 'running'))
            OR (q.status = 'running' AND q.lease_until < now())
         ORDER BY q.created_at, q.id
         LIMIT 1
           FOR UPDATE SKIP LOCKED) c
 WHERE r.id = c.id
RETURNING r.id, r.account_id, r.sync_id, r.trigger, r.full_resync, r.staged, r.attempt, r.reclaims, r.definition, c.status AS previous_status
