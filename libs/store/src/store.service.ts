import { createHash } from 'node:crypto';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type Pool, type PoolClient } from 'pg';
import { type DataSource, type EntityManager } from 'typeorm';
import { DomainError } from '#errors';
import { type OpenedStore } from './data-source.factory.js';
import { isStoreUnavailable, translateStoreError } from './pg-errors.js';
import { insertStatement, updateStatement, type UpdateOptions } from './write-statements.js';

export type Tx = EntityManager;

/**
 * The one door to the shared records. Transactions are handed out explicitly (`transaction(tx => ...)`) and passed
 * to repositories by hand: the embedded store has one connection, so a second one inside a transaction would wait
 * forever.
 */
@Injectable()
export class StoreService implements OnApplicationShutdown {
  private closed = false;

  constructor(private readonly opened: OpenedStore) {}

  get kind(): OpenedStore['kind'] {
    return this.opened.kind;
  }

  get dataSource(): DataSource {
    return this.opened.dataSource;
  }

  /** The manager to use: the caller's transaction, or the DataSource's. */
  manager(tx?: Tx): EntityManager {
    return tx ?? this.opened.dataSource.manager;
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await this.opened.dataSource.transaction(work);
    } catch (e) {
      throw translateStoreError(e);
    }
  }

  /** Parameterized SQL, on the transaction when one is given; store errors come back as domain errors. */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T[]> {
    try {
      const result: unknown = await this.manager(tx).query(sql, params);
      // TypeORM answers UPDATE/DELETE ... RETURNING with [rows, affectedCount]; everything else with rows.
      if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
        return result[0] as T[];
      }
      return result as T[];
    } catch (e) {
      throw translateStoreError(e);
    }
  }

  /**
   * The same for a query every request pays for, as a named prepared statement: parsed and planned once per
   * connection, then only bound and executed. Unnamed, PostgreSQL parsed and planned it each time, which was most of
   * its cost (an admission: 0.4-2 ms of parse and bind for 0.1 ms of execution, in the server's log). For SQL texts
   * from a bounded set only (each text is one statement on every connection, for the connection's life).
   */
  async queryPrepared<T = Record<string, unknown>>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T[]> {
    try {
      const query = { name: statementName(sql), text: sql, values: params };
      if (tx) {
        const client = (await tx.queryRunner!.connect()) as PoolClient;
        return (await client.query(query)).rows as T[];
      }
      const pool = (this.opened.dataSource.driver as unknown as { master: Pool }).master;
      return (await pool.query(query)).rows as T[];
    } catch (e) {
      throw translateStoreError(e);
    }
  }

  /** Runs a write through the edge translation (unique violation → CONFLICT naming the field, ...). */
  async write<T>(op: 'insert' | 'update' | 'delete', work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      throw translateStoreError(e, op);
    }
  }

  /** Inserts a row of the given columns (see `insertStatement`) through the edge translation; the rows `tail` returns. */
  async insert<T = Record<string, unknown>>(table: string, columns: Record<string, unknown>, tail: string, tx?: Tx): Promise<T[]> {
    const statement = insertStatement(table, columns, tail);
    return this.write('insert', () => this.query<T>(statement.sql, statement.params, tx));
  }

  /**
   * Writes the given columns of the rows `where` selects, through the edge translation (see `updateStatement`:
   * undefined columns are left out). False when no column was given, so nothing was written.
   */
  async update(
    table: string,
    where: Record<string, unknown>,
    columns: Record<string, unknown>,
    tx?: Tx,
    options?: UpdateOptions,
  ): Promise<boolean> {
    const statement = updateStatement(table, where, columns, options);
    if (!statement) return false;
    await this.write('update', () => this.query(statement.sql, statement.params, tx));
    return true;
  }

  /** True when the store answers `SELECT 1` within the timeout. Never throws, never hangs. */
  async ping(timeoutMs = 1000): Promise<boolean> {
    if (this.closed) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const probe = this.opened.dataSource
      .query('SELECT 1')
      .then(() => true)
      .catch(() => false);
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  isUnavailable(e: unknown): boolean {
    return (e instanceof DomainError && e.code === 'UNAVAILABLE') || isStoreUnavailable(e);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.opened.close();
  }
}

const statementNames = new Map<string, string>();

/** A statement's name from its text: the same text, the same name on every connection; another text, another name. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `pg_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}
