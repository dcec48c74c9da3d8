import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Counters of the short windows (per-minute limits, token buckets): the same as limit_counters but UNLOGGED, which
 * halves the cost of an admission on PostgreSQL (no WAL). A PostgreSQL crash empties it, which only forgets the
 * last minute's counts; daily quotas stay in the logged table.
 */
export class VolatileLimitCounters1764158650000 implements MigrationInterface {
  name = 'VolatileLimitCounters1764158650000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNLOGGED TABLE limit_counters_volatile (key text PRIMARY KEY, state jsonb NOT NULL, expires_at timestamptz NOT NULL)`,
    );
    await q.query(`CREATE INDEX ix_limit_counters_volatile__expires ON limit_counters_volatile (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE limit_counters_volatile`);
  }
}
