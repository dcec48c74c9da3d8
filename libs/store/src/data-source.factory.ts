import { mkdirSync, readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { type StoreConfig } from '#config';
import { MIGRATIONS } from './migrations.js';
import { copyPreparedDataDir, isInitialisedDataDir } from './prepared-data-dir.js';

export interface OpenedStore {
  dataSource: DataSource;
  kind: StoreConfig['kind'];
  /** Closes the DataSource, then the embedded database (in that order: PGlite must outlive its last query). */
  close(): Promise<void>;
  /** How a new embedded data directory began (undefined when it existed already or lives in memory). */
  began?: 'copied from the prepared database' | 'initialised by initdb';
  /** The embedded database's data directory as a tarball, which `template` can start another store from. */
  dumpDataDir?(): Promise<Blob>;
}

const COMMON: Omit<DataSourceOptions, 'type'> = {
  migrations: MIGRATIONS,
  migrationsTableName: 'schema_migrations',
  migrationsTransactionMode: 'each',
  synchronize: false,
  migrationsRun: false,
  logging: false,
};

/**
 * Opens the shared store. `embedded`: PGlite through its own node-postgres adapter under TypeORM's postgres driver,
 * one connection (PGlite is single-session). `postgres`: a pool on the server. Same migrations, same SQL.
 */
export async function openStore(config: StoreConfig): Promise<OpenedStore> {
  if (config.kind === 'postgres') {
    const dataSource = new DataSource({
      ...COMMON,
      type: 'postgres',
      url: config.url,
      poolSize: 10,
      connectTimeoutMS: 2000,
      applicationName: 'plangate',
      // A dead server must not hold a request forever: queries give up after 35 s (later than the 30 s
      // statement_timeout of syncs' SQL sources, so that the server's own timeout is the one reported), idle
      // clients are recycled.
      extra: { query_timeout: 35_000, idleTimeoutMillis: 10_000 },
    } as DataSourceOptions);
    await dataSource.initialize();
    return { dataSource, kind: 'postgres', close: () => dataSource.destroy() };
  }

  // A template spares a new store PostgreSQL's initdb and the migrations (seconds, and for a gateway hundreds of MB
  // of memory it would keep): a tarball for an in-memory store, a prepared data directory for a folder.
  const inMemory = config.dataDir.startsWith('memory://');
  let began: OpenedStore['began'];
  if (!inMemory && !isInitialisedDataDir(config.dataDir)) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const copied = config.template !== undefined && copyPreparedDataDir(config.template, config.dataDir);
    began = copied ? 'copied from the prepared database' : 'initialised by initdb';
  }
  const tarball = config.template && inMemory ? new Blob([readFileSync(config.template)]) : undefined;
  const pglite = await PGlite.create(config.dataDir, tarball ? { loadDataDir: tarball } : {});
  const pg = createPgConfig(pglite);
  const dataSource = new DataSource({
    ...COMMON,
    type: 'postgres',
    poolSize: 1,
    extra: { connection: pg.connection, host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database, max: 1 },
  } as DataSourceOptions);
  try {
    await dataSource.initialize();
  } catch (e) {
    await pglite.close();
    throw e;
  }
  return {
    dataSource,
    kind: 'embedded',
    began,
    dumpDataDir: () => pglite.dumpDataDir('none'),
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}
