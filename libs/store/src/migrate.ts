import { renameSync, rmSync } from 'node:fs';
import { MigrationExecutor, type DataSource } from 'typeorm';
import { openStore } from './data-source.factory.js';

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

/**
 * Makes an empty, migrated embedded database in `target` (the build runs this once, into dist/). PostgreSQL's initdb
 * runs here, in a short-lived process, so that a gateway's first start copies the result instead: initdb inside the
 * gateway costs seconds and leaves hundreds of MB of WebAssembly memory the process never gives back.
 * Written beside the target and renamed into place, so that a reader never sees half of one.
 */
export async function prepareDataDir(target: string): Promise<void> {
  const partial = `${target}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const store = await openStore({ kind: 'embedded', dataDir: partial });
  try {
    await runMigrations(store.dataSource);
  } finally {
    await store.close();
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(partial, target);
}
