/**
 * The run engine's hot SQL, compared with committed copies under libs/store/queries/ by a test: every instance runs
 * these every few seconds.
 */

/**
 * Claims the oldest queued run whose sync has none running, or a running one whose lease expired (a reclaim), for
 * this instance: `SKIP LOCKED` so that instances never wait on each other, and the partial unique index on running
 * runs so that two instances never run one sync (the loser's statement fails and it tries later).
 */
export const CLAIM_RUN_SQL = `UPDATE retl_runs r
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
`;

/** Extends the lease of a run this instance still holds; no row = the claim was lost (fencing). */
export const HEARTBEAT_SQL = `UPDATE retl_runs SET lease_until = now() + make_interval(secs => $4::float8 / 1000)
 WHERE id = $1 AND claimed_by = $2 AND attempt = $3 AND status = 'running'
RETURNING cancel_requested
`;

/** Every write of a run's executor starts by locking its row under the claim it holds. */
export const FENCE_SQL = `SELECT cancel_requested FROM retl_runs
 WHERE id = $1 AND claimed_by = $2 AND attempt = $3 AND status = 'running'
   FOR UPDATE
`;

/** Cron syncs due now (the scheduler moves each one's next_run_at before queueing its run). */
export const DUE_SYNCS_SQL = `SELECT id, account_id, schedule, next_run_at FROM retl_syncs
 WHERE enabled AND deleted_at IS NULL AND next_run_at <= now()
 ORDER BY next_run_at
 LIMIT 100
`;
