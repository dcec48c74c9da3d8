import { type StoreService } from '#store';
import { AdmissionBatcher } from './admission-batcher.js';
import { LimitStorage } from './limit-storage.js';
import { ADMIT_SQL, ADMIT_VOLATILE_SQL, PURGE_SQL, PURGE_VOLATILE_SQL, WRITE_COUNTERS_SQL } from './limits.queries.js';
import { expiresAt, type RawAdmission, type WindowInput, type WindowResult, type WindowState } from './windows.js';

/**
 * Counters in the shared store (embedded or PostgreSQL), exact across instances: durable ones in limit_counters,
 * the short windows (`volatile`) in the unlogged limit_counters_volatile.
 */
export class StoreLimitStorage extends LimitStorage {
  readonly name = 'store' as const;
  private readonly admitSql: string;
  private readonly purgeSql: string;

  constructor(
    private readonly store: StoreService,
    volatile = false,
  ) {
    super();
    this.admitSql = volatile ? ADMIT_VOLATILE_SQL : ADMIT_SQL;
    this.purgeSql = volatile ? PURGE_VOLATILE_SQL : PURGE_SQL;
  }

  /** Requests of one key that arrive while its admission is in flight are admitted together, in one statement. */
  private readonly batcher = new AdmissionBatcher((key, windows, now, cost) => this.admitOnce(key, windows, now, cost));

  admit(key: string, windows: WindowInput[], now: number, cost = 1): Promise<RawAdmission> {
    return this.batcher.admit(key, windows, now, cost);
  }

  private async admitOnce(key: string, windows: WindowInput[], now: number, cost: number): Promise<RawAdmission> {
    const [row] = await this.store.queryPrepared<{ admitted: boolean; results: WindowResult[] }>(this.admitSql, [
      key,
      JSON.stringify(windows),
      Math.floor(now),
      cost,
      expiresAt(windows, now),
    ]);
    return { admitted: row.admitted, results: row.results.map((r) => r.map(Number) as WindowResult) };
  }

  /** The stored state of a counter (one entry per window), without counting; empty when none is alive. */
  async read(key: string, now: number): Promise<WindowState[]> {
    return (await this.readHeld(key, now))?.state ?? [];
  }

  /** The stored windows with the instant they all end (ms), when alive. */
  async readHeld(key: string, now: number): Promise<{ state: WindowState[]; expires: number } | undefined> {
    const [row] = await this.store.query<{ w: WindowState[]; expires: number }>(
      `SELECT state->'w' AS w, (extract(epoch FROM expires_at) * 1000)::float8 AS expires
         FROM limit_counters WHERE key = $1 AND expires_at > to_timestamp($2::bigint / 1000.0)`,
      [key, Math.floor(now)],
    );
    return row ? { state: row.w, expires: row.expires } : undefined;
  }

  /** Stores counters as they stand (counted elsewhere: see WriteBehindLimitStorage), in one statement. */
  async write(counters: { key: string; state: WindowState[]; expires: number }[]): Promise<void> {
    await this.store.query(WRITE_COUNTERS_SQL, [
      JSON.stringify(counters.map((c) => ({ key: c.key, w: c.state, e: Math.floor(c.expires) }))),
    ]);
  }

  /** Drops at most `limit` counters whose windows have all ended; answers how many (a Pruner task's batch). */
  async purge(limit: number): Promise<number> {
    const [row] = await this.store.query<{ n: number }>(
      `WITH d AS (${this.purgeSql.trimEnd()} RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [limit],
    );
    return row.n;
  }
}
