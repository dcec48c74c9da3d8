import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What a reverse-ETL source read calls when a value, a row or the whole read passes its byte cap: it raises
 * SQLSTATE `RETL1` with a message naming the cap, so the oversized row is never sent to the gateway (a value past
 * V8's string limit used to crash the process inside the driver). The caps themselves are the gateway's; only the
 * refusal lives in the database. It reads nothing and is callable by the sources' reader role (PUBLIC execute).
 * VOLATILE on purpose: the planner folds an immutable call with constant arguments at plan time, which would raise
 * before any row is read.
 */
export class SourceByteCaps1764159400000 implements MigrationInterface {
  name = 'SourceByteCaps1764159400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION public.retl_source_cap_exceeded(message text) RETURNS bigint
      LANGUAGE plpgsql VOLATILE AS $fn$
      BEGIN
        RAISE EXCEPTION USING ERRCODE = 'RETL1', MESSAGE = message;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION public.retl_source_cap_exceeded(text)`);
  }
}
