import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Pruning on a schedule (#store's Pruner): the claim row one instance a period takes, and the indexes that let
 * each task find rows past retention without a scan (and delete a refresh token without scanning for the tokens
 * that name it as their replacement).
 */
export class Pruning1764159900100 implements MigrationInterface {
  name = 'Pruning1764159900100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE maintenance_claims (
        name text PRIMARY KEY,
        next_at timestamptz NOT NULL,
        claimed_by text NOT NULL,
        claimed_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_refresh_tokens__expires ON refresh_tokens (expires_at)`);
    // ON DELETE SET NULL of replaced_by looks up the tokens a deleted one replaced
    await q.query(`CREATE INDEX ix_refresh_tokens__replaced_by ON refresh_tokens (replaced_by) WHERE replaced_by IS NOT NULL`);
    await q.query(`CREATE INDEX ix_refresh_families__revoked ON refresh_families (revoked_at) WHERE revoked_at IS NOT NULL`);
    await q.query(`CREATE INDEX ix_refresh_families__created ON refresh_families (created_at) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX ix_retl_runs__finished ON retl_runs (finished_at) WHERE status IN ('succeeded', 'failed', 'canceled')`);
    await q.query(`CREATE INDEX ix_retl_dead_letters__resolved ON retl_dead_letters (resolved_at) WHERE status = 'resolved'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_retl_dead_letters__resolved`);
    await q.query(`DROP INDEX ix_retl_runs__finished`);
    await q.query(`DROP INDEX ix_refresh_families__created`);
    await q.query(`DROP INDEX ix_refresh_families__revoked`);
    await q.query(`DROP INDEX ix_refresh_tokens__replaced_by`);
    await q.query(`DROP INDEX ix_refresh_tokens__expires`);
    await q.query(`DROP TABLE maintenance_claims`);
  }
}
