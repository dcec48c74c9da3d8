import { isIP } from 'node:net';
import pg from 'pg';
import { type FieldIssue } from '#errors';
import { AddressRefused, resolveChecked, type AddressPolicy } from './address-guard.js';
import { CappedClient } from './capped-pg-client.js';
import { postgresTarget, scrub, type PostgresPublic, type PostgresSecrets } from './destination-config.js';
import { backoffMs, DeliveryAborted, sleep, type DeliveryBatch, type DeliveryResult, type RowFailure } from './delivery.js';
import { type DestinationField, type ObjectSchema, type SyncMode } from './mapping.js';
import { type DataType } from './values.js';

export class PostgresConnectError extends Error {}

/** The most columns a destination schema may have (objects × fields); the server's answer is capped in bytes too. */
export const INTROSPECTED_COLUMNS = 20_000;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

function dataTypeOf(typname: string): DataType {
  if (['int2', 'int4', 'int8'].includes(typname)) return 'integer';
  if (['numeric', 'float4', 'float8', 'money'].includes(typname)) return 'number';
  if (typname === 'bool') return 'boolean';
  if (typname === 'timestamp' || typname === 'timestamptz') return 'datetime';
  if (typname === 'date') return 'date';
  if (typname === 'json' || typname === 'jsonb') return 'json';
  return 'string';
}

/** Retried like a 5xx (docs/reverse-etl.md): connection exceptions, shutdowns, timeouts. */
function isTransient(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  const message = e instanceof Error ? e.message : '';
  return (
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', '57014', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(
      code,
    ) ||
    /timeout|Connection terminated|connect ECONN/i.test(message)
  );
}

function isAuth(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  return code.startsWith('28') || code === '42501';
}

function rowCode(e: unknown): string {
  const code = (e as { code?: string }).code ?? '';
  if (code.startsWith('23')) return 'destination_constraint_violation';
  if (code.startsWith('22')) return 'type_coercion_failed';
  return 'destination_rejected';
}

/**
 * A PostgreSQL destination (docs/reverse-etl.md): at most 2 connections, `statement_timeout` = timeoutMs, the
 * host's addresses checked before connecting. One transaction per batch with bound values and quoted identifiers; a
 * failing batch is redone with a savepoint per row so that only the bad rows are dead-lettered.
 */
export class PostgresDestination {
  private pool?: pg.Pool;

  constructor(
    private readonly cfg: PostgresPublic,
    private readonly secrets: PostgresSecrets,
    private readonly addresses: AddressPolicy,
  ) {}

  /**
   * The pool of this destination, on the address the rule checked: the URL is read again (a destination stored before
   * a rule existed is judged too), its host resolved and checked now, and pg given that address as `host`, with TLS
   * `servername` the URL's name so that certificates are still checked against it. pg never resolves the name itself.
   */
  private async open(): Promise<pg.Pool> {
    if (this.pool) return this.pool;
    const issues: FieldIssue[] = [];
    const target = postgresTarget(this.secrets.url, issues);
    if (!target) throw issues[0].type === 'forbidden_address' ? new AddressRefused(issues[0].issue) : new Error(issues[0].issue);
    const [pinned] = await resolveChecked(target.host, this.addresses);
    const named = !isIP(target.host);
    const ssl = target.ssl && named ? { ...(target.ssl === true ? {} : target.ssl), servername: target.host } : target.ssl;
    this.pool = new pg.Pool({
      // the server is the tenant's: what it sends is capped per message and per connection
      Client: CappedClient,
      ...target,
      host: pinned.address,
      ssl,
      max: 2,
      connectionTimeoutMillis: Math.min(10_000, this.cfg.timeoutMs),
      statement_timeout: this.cfg.timeoutMs,
      query_timeout: this.cfg.timeoutMs + 1000,
      application_name: 'plangate-reverse-etl',
      idleTimeoutMillis: 5_000,
    });
    this.pool.on('error', () => undefined);
    return this.pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  /** Connects and reads the schema's tables (creation check, objects, fields); throws PostgresConnectError. */
  async introspect(): Promise<ObjectSchema[]> {
    try {
      const pool = await this.open();
      const client = await pool.connect();
      try {
        const columns = await client.query<{
          table: string;
          name: string;
          typname: string;
          notnull: boolean;
          hasdef: boolean;
          generated: string;
          identity: string;
          max_length: number | null;
        }>(
          `SELECT c.relname AS "table", a.attname AS name, t.typname, a.attnotnull AS notnull, a.atthasdef AS hasdef,
                  a.attgenerated AS generated, a.attidentity AS identity,
                  CASE WHEN a.atttypid IN (1042, 1043) AND a.atttypmod > 4 THEN a.atttypmod - 4 END AS max_length
             FROM pg_attribute a
             JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_type t ON t.oid = a.atttypid
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY c.relname, a.attnum
            LIMIT ${INTROSPECTED_COLUMNS + 1}`,
          [this.cfg.schema],
        );
        const keys = await client.query<{ table: string; cols: string[] }>(
          `SELECT DISTINCT ON (c.relname) c.relname AS "table",
                  array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS cols
             FROM pg_constraint con
             JOIN pg_class c ON c.oid = con.conrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND con.contype IN ('p', 'u')
            ORDER BY c.relname, con.contype, con.oid
            LIMIT ${INTROSPECTED_COLUMNS + 1}`,
          [this.cfg.schema],
        );
        const keyOf = new Map(keys.rows.map((k) => [k.table, k.cols]));
        if (columns.rows.length > INTROSPECTED_COLUMNS || keys.rows.length > INTROSPECTED_COLUMNS) {
          throw new Error(
            `the schema '${this.cfg.schema}' has more than ${INTROSPECTED_COLUMNS} columns; use a schema with only the tables to sync`,
          );
        }
        const tables = new Map<string, DestinationField[]>();
        for (const c of columns.rows) {
          const fields = tables.get(c.table) ?? [];
          const key = keyOf.get(c.table) ?? [];
          const writable = c.generated === '' && c.identity !== 'a';
          fields.push({
            name: c.name,
            label: c.name,
            dataType: dataTypeOf(c.typname),
            required: c.notnull && !c.hasdef && c.identity === '' && c.generated === '',
            nullable: !c.notnull,
            isIdentifier: key.includes(c.name),
            writable,
            maxLength: c.max_length === null ? null : Number(c.max_length),
          });
          tables.set(c.table, fields);
        }
        return [...tables.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([name, fields]) => {
            const keyFields = keyOf.get(name) ?? [];
            const modes: SyncMode[] = keyFields.length ? ['upsert', 'insert', 'update', 'delete'] : ['insert'];
            return { name, label: name, fields, keyFields, modes };
          });
      } finally {
        client.release();
      }
    } catch (e) {
      if (e instanceof AddressRefused) throw e;
      throw new PostgresConnectError(scrub(e instanceof Error ? e.message : String(e), this.secretParts()));
    }
  }

  private secretParts(): string[] {
    const url = new URL(this.secrets.url);
    return [decodeURIComponent(url.password), url.password, this.secrets.url].filter(Boolean);
  }

  async deliver(batch: DeliveryBatch, schema: ObjectSchema, signal: AbortSignal): Promise<DeliveryResult> {
    const result: DeliveryResult = { written: [], failed: [], retries: 0 };
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw new DeliveryAborted();
      try {
        const pool = await this.open();
        const outcome = await this.write(pool, batch, schema);
        result.written = outcome.written;
        result.failed = outcome.failed;
        return result;
      } catch (e) {
        const message = scrub(e instanceof Error ? e.message : String(e), this.secretParts());
        if (e instanceof AddressRefused) {
          return this.fail(batch, result, 'forbidden_address', message);
        }
        if (isAuth(e)) return this.fail(batch, result, 'destination_auth_failed', message);
        if (!isTransient(e)) return this.fail(batch, result, 'destination_error', message);
        if (attempt >= this.cfg.maxRetries)
          return this.fail(batch, result, 'destination_unavailable', `unavailable after ${attempt + 1} attempt(s): ${message}`);
        result.retries++;
        await this.close();
        await sleep(backoffMs(attempt), signal);
      }
    }
  }

  private fail(
    batch: DeliveryBatch,
    result: DeliveryResult,
    code: 'destination_unavailable' | 'destination_auth_failed' | 'destination_error' | 'forbidden_address',
    message: string,
  ): DeliveryResult {
    result.written = [];
    result.failed = batch.rows.map((r) => ({ seq: r.seq, code, message }));
    result.runError = { code, message };
    result.destinationError = message;
    return result;
  }

  /** The batch in one transaction; on a row-level error, again with a savepoint per row. */
  private async write(pool: pg.Pool, batch: DeliveryBatch, schema: ObjectSchema): Promise<{ written: number[]; failed: RowFailure[] }> {
    const client = await pool.connect();
    try {
      try {
        await client.query('BEGIN');
        const missing = await this.statements(client, batch, schema, batch.rows);
        await client.query('COMMIT');
        return {
          written: batch.rows.filter((r) => !missing.has(r.seq)).map((r) => r.seq),
          failed: [...missing].map((seq) => rowMissing(seq)),
        };
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (isTransient(e) || isAuth(e)) throw e;
      }
      const written: number[] = [];
      const failed: RowFailure[] = [];
      await client.query('BEGIN');
      for (const row of batch.rows) {
        await client.query('SAVEPOINT r');
        try {
          const missing = await this.statements(client, batch, schema, [row]);
          await client.query('RELEASE SAVEPOINT r');
          if (missing.size) failed.push(rowMissing(row.seq));
          else written.push(row.seq);
        } catch (e) {
          if (isTransient(e) || isAuth(e)) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw e;
          }
          await client.query('ROLLBACK TO SAVEPOINT r');
          failed.push({ seq: row.seq, code: rowCode(e), message: scrub(e instanceof Error ? e.message : String(e), this.secretParts()) });
        }
      }
      await client.query('COMMIT');
      return { written, failed };
    } finally {
      client.release();
    }
  }

  /** Runs the mode's statements for the rows; returns the rows an UPDATE found nothing to change for. */
  private async statements(
    client: pg.PoolClient,
    batch: DeliveryBatch,
    schema: ObjectSchema,
    rows: DeliveryBatch['rows'],
  ): Promise<Set<number>> {
    const table = `${q(this.cfg.schema)}.${q(schema.name)}`;
    const missing = new Set<number>();
    const value = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v);
    if (batch.mode === 'insert' || batch.mode === 'upsert') {
      const cols = Object.keys(rows[0].payload);
      const params: unknown[] = [];
      const tuples = rows.map((r) => `(${cols.map((c) => (params.push(value(r.payload[c])), `$${params.length}`)).join(', ')})`);
      let sql = `INSERT INTO ${table} (${cols.map(q).join(', ')}) VALUES ${tuples.join(', ')}`;
      if (batch.mode === 'upsert') {
        const rest = cols.filter((c) => !batch.keyFields.includes(c));
        sql += ` ON CONFLICT (${batch.keyFields.map(q).join(', ')}) DO ${rest.length ? `UPDATE SET ${rest.map((c) => `${q(c)} = EXCLUDED.${q(c)}`).join(', ')}` : 'NOTHING'}`;
      }
      await client.query(sql, params);
      return missing;
    }
    for (const r of rows) {
      const keys = batch.keyFields;
      const params: unknown[] = keys.map((k) => value(r.payload[k]));
      const where = keys.map((k, i) => `${q(k)} IS NOT DISTINCT FROM $${i + 1}`).join(' AND ');
      if (batch.mode === 'delete') {
        await client.query(`DELETE FROM ${table} WHERE ${where}`, params);
        continue;
      }
      const rest = Object.keys(r.payload).filter((c) => !keys.includes(c));
      if (!rest.length) continue;
      const sets = rest.map((c) => (params.push(value(r.payload[c])), `${q(c)} = $${params.length}`));
      const res = await client.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE ${where}`, params);
      if (res.rowCount === 0) missing.add(r.seq);
    }
    return missing;
  }
}

function rowMissing(seq: number): RowFailure {
  return { seq, code: 'destination_row_missing', message: 'no row with this key' };
}
