/**
 * One statement per admission: the row is locked by ON CONFLICT and limit_eval computes the new state from the
 * latest version, so concurrent admissions on any number of instances are exact. Committed copy:
 * libs/store/queries/limits.admit.sql.
 *
 * The commit does not wait for the WAL flush (synchronous_commit off for this transaction only): on PostgreSQL the
 * flush was 80 % of a durable admission (1-2 ms against 0.2 ms, measured). What that risks is bounded and harmless: a
 * crash of the PostgreSQL server itself may forget the last fraction of a second of counts (about 3 × wal_writer_delay),
 * never corrupt them; a restart of the gateway, or of the server by a clean shutdown, forgets nothing.
 */
export const ADMIT_SQL = `INSERT INTO limit_counters AS c (key, state, expires_at)
SELECT $1, limit_eval(NULL, $2::jsonb, $3::bigint, $4::int), to_timestamp($5::bigint / 1000.0)
  FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
 WHERE true
ON CONFLICT (key) DO UPDATE
   SET state = limit_eval(CASE WHEN c.expires_at > to_timestamp($3::bigint / 1000.0) THEN c.state END,
                          $2::jsonb, $3::bigint, $4::int),
       expires_at = to_timestamp($5::bigint / 1000.0)
RETURNING state->'a' AS admitted, state->'r' AS results
`;

/** The same admission on the unlogged table of short windows. */
export const ADMIT_VOLATILE_SQL = ADMIT_SQL.replace('INTO limit_counters AS c', 'INTO limit_counters_volatile AS c');

/** Counters as they stand ($1: a JSON array of {key, w: window states, e: expiry in ms}), in the shape ADMIT_SQL keeps. */
export const WRITE_COUNTERS_SQL = `INSERT INTO limit_counters AS c (key, state, expires_at)
SELECT r.key, jsonb_build_object('w', r.w), to_timestamp(r.e / 1000.0)
  FROM jsonb_to_recordset($1::jsonb) AS r(key text, w jsonb, e bigint)
ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at
`;

/**
 * At most $1 counters whose windows have all ended a minute ago (none of them can count a request again): one of the
 * Pruner's batches. The minute spares a counter that a slow admission is about to extend.
 */
export const PURGE_SQL = `DELETE FROM limit_counters
 WHERE key IN (SELECT key FROM limit_counters WHERE expires_at < now() - interval '1 minute' LIMIT $1)
`;

export const PURGE_VOLATILE_SQL = PURGE_SQL.replaceAll('FROM limit_counters', 'FROM limit_counters_volatile');
