import { MigrationExecutor, type DataSource } from 'typeorm';

/** One number for every Plangate instance: whoever holds it runs the migrations, the others wait. */
const MIGRATION_LOCK_KEY = 7_264_283_001;

/**
 * Runs pending migrations inside a PostgreSQL advisory lock, on one connection (the lock is per session, and the
 * embedded store has only one connection anyway), so several instances may start together on one database.
 * Returns the names of the migrations this call applied.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner('master');
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const applied = await executor.executePendingMigrations();
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
