import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type PoolClient } from 'pg';
import { APP_CONFIG, type AppConfig } from '#config';
import { StoreService } from '#store';
import { MODEL_CATALOGUE, type SourceRef } from './models.js';
import { checkSqlSource, loadSqlParser } from './sql-guard.js';
import { RAW_TEXT_TYPES, WATERMARK_TYPES } from './values.js';

export const READER_ROLE = 'plangate_retl_reader';
/** A source may yield this many rows (docs/reverse-etl.md); one more fails the run before anything is sent. */
export const SOURCE_ROW_CAP = 100_000;
export const SOURCE_TIMEOUT = '30s';
/**
 * Byte caps on what a read may bring into the gateway's process, measured on PostgreSQL's text form of each value
 * (what the driver receives) and enforced by the database before a row is sent: a value, a row, and the whole read.
 * Without them one `repeat('x', 540000000)` made the driver build a string past V8's limit and killed the process
 * for every account. A read that passes one fails with `source_byte_cap_exceeded`, naming the cap.
 */
export const SOURCE_VALUE_BYTE_CAP = 1024 * 1024;
export const SOURCE_ROW_BYTE_CAP = 2 * 1024 * 1024;
export const SOURCE_READ_BYTE_CAP = 64 * 1024 * 1024;
/** Each value counts this much more than its text (NULL and '' included): the slot it takes in the driver's row. */
export const SOURCE_VALUE_OVERHEAD = 8;
/** The SQLSTATE that public.retl_source_cap_exceeded raises (migration 1764159400000). */
const CAP_SQLSTATE = 'RETL1';

export interface SourceColumn {
  name: string;
  /** PostgreSQL type OID */
  oid: number;
}

export interface SourceRows {
  columns: SourceColumn[];
  /** Every value as PostgreSQL's text (null for NULL), in column order. */
  rows: (string | null)[][];
}

/** Why a read failed; the run fails with this code (docs/reverse-etl.md). */
export class SourceError extends Error {
  constructor(
    readonly code: 'source_timeout' | 'source_error' | 'source_row_cap_exceeded' | 'source_byte_cap_exceeded' | 'sql_sources_unavailable',
    message: string,
    readonly sqlstate?: string,
  ) {
    super(message);
  }
}

export interface SandboxStatus {
  sqlSources: 'enabled' | 'disabled';
  reason: string | null;
  /** The role switch is safe (the start check passed): model references use it too. */
  roleSwitch: boolean;
}

/**
 * Reads sources the way docs/reverse-etl.md prescribes, enforced by the database: each read is its own transaction
 * that inserts the account's context row, turns read-only, sets the statement timeout and the search path to the
 * model views, switches to the reader role (when the start check passed) and always rolls back. The start check
 * decides whether SQL sources are on here.
 */
@Injectable()
export class SourceSandbox implements OnModuleInit {
  private readonly logger = new Logger('ReverseEtl');
  private state: SandboxStatus = { sqlSources: 'disabled', reason: 'not checked yet', roleSwitch: false };
  private available = new Set<string>();
  /** Every column of every model served: the guard tells `t.column` from the call form `t.function`. */
  private columnNames = new Set<string>();
  private readonly modelColumns = new Map<string, SourceColumn[]>();

  constructor(
    private readonly store: StoreService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await loadSqlParser();
    const views = await this.store.query<{ name: string; columns: string[] }>(
      `SELECT c.relname AS name, array(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'retl_src' AND c.relkind = 'v'`,
    );
    const present = new Set(views.map((v) => v.name));
    this.available = new Set(MODEL_CATALOGUE.filter((m) => present.has(m.name)).map((m) => m.name));
    this.columnNames = new Set(views.filter((v) => this.available.has(v.name)).flatMap((v) => v.columns));
    const problem = await this.checkRole();
    const embedded = this.store.kind === 'embedded' && !this.config.retl.sqlOnEmbedded;
    this.state = {
      sqlSources: problem || embedded ? 'disabled' : 'enabled',
      reason: problem ? `check failed: ${problem}` : embedded ? 'embedded store' : null,
      roleSwitch: !problem,
    };
    if (problem) this.logger.warn(`SQL sources are off: the sandbox check failed: ${problem}`);
  }

  status(): SandboxStatus {
    return this.state;
  }

  /** The models this store serves, in catalogue order. */
  models(): string[] {
    return MODEL_CATALOGUE.map((m) => m.name).filter((m) => this.available.has(m));
  }

  hasModel(name: string): boolean {
    return this.available.has(name);
  }

  /** SQL-source validation on the AST (docs/reverse-etl.md): the refusal, if any. */
  check(sql: string) {
    return checkSqlSource(sql, this.models(), this.columnNames);
  }

  /**
   * The start check (docs/reverse-etl.md): the reader role exists, is no superuser and cannot bypass row security, belongs to no
   * other role, lacks EXECUTE on set_config, may read or write no table outside retl_src, and the gateway may switch
   * to it. Returns what failed, or undefined.
   */
  private async checkRole(): Promise<string | undefined> {
    try {
      const [role] = await this.store.query<{ privileged: boolean }>(
        `SELECT rolsuper OR rolbypassrls OR rolcanlogin AS privileged FROM pg_roles WHERE rolname = $1`,
        [READER_ROLE],
      );
      if (!role) return `role ${READER_ROLE} does not exist (run the migration once as a superuser)`;
      if (role.privileged) return `role ${READER_ROLE} is a superuser, bypasses row security or can log in`;
      const [r] = await this.store.query<{
        set_config: boolean;
        outside: number;
        memberships: number;
        can_switch: boolean;
        can_set: boolean;
        me: string;
      }>(
        `SELECT has_function_privilege($1, 'pg_catalog.set_config(text,text,boolean)', 'EXECUTE') AS set_config,
                has_function_privilege(current_user, 'pg_catalog.set_config(text,text,boolean)', 'EXECUTE') AS can_set,
                current_user::text AS me,
                (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname NOT IN ('retl_src', 'pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                    AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
                    AND has_table_privilege($1, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')) AS outside,
                (SELECT count(*)::int FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1) AS memberships,
                pg_has_role(current_user, $1, 'MEMBER') AS can_switch`,
        [READER_ROLE],
      );
      if (r.set_config) return `role ${READER_ROLE} may execute set_config (revoke it from PUBLIC)`;
      if (r.outside > 0) return `role ${READER_ROLE} holds privileges on ${r.outside} relation(s) outside retl_src`;
      if (r.memberships > 0) return `role ${READER_ROLE} is a member of other roles`;
      // what an operator runs, as a superuser, for a gateway that logs in as an ordinary user (README)
      const grants = [
        ...(r.can_switch ? [] : [`GRANT ${READER_ROLE} TO ${r.me}`]),
        ...(r.can_set ? [] : [`GRANT EXECUTE ON FUNCTION pg_catalog.set_config(text, text, boolean) TO ${r.me}`]),
      ];
      if (grants.length) return `the gateway's user ${r.me} needs, from a superuser: ${grants.join('; ')}`;
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  /** The columns of a source: `SELECT * FROM (⏎sql⏎) src LIMIT 0` in the sandbox. */
  async describe(accountId: string, source: SourceRef): Promise<SourceColumn[]> {
    if (source.type === 'model') {
      const cached = this.modelColumns.get(source.model);
      if (cached) return cached;
    }
    const { columns } = await this.run(accountId, source, (inner) => describeStatement(inner));
    if (source.type === 'model') this.modelColumns.set(source.model, columns);
    return columns;
  }

  /**
   * Reads a source: every row, or (incremental) the rows whose watermark column is greater than `after`, ascending.
   * More than SOURCE_ROW_CAP rows, or more bytes than the byte caps allow, fails before anything is sent.
   */
  async read(
    accountId: string,
    source: SourceRef,
    incremental?: { column: string; oid: number; after: string | null },
  ): Promise<SourceRows> {
    const result = await this.run(
      accountId,
      source,
      (inner) => {
        const base = `SELECT * FROM (\n${inner}\n) src`;
        if (!incremental) return `${base} LIMIT ${SOURCE_ROW_CAP + 1}`;
        const col = `src.${quoteIdent(incremental.column)}`;
        const cast = WATERMARK_TYPES[incremental.oid];
        if (incremental.after === null) return `${base} ORDER BY ${col} ASC NULLS LAST LIMIT ${SOURCE_ROW_CAP + 1}`;
        // A literal, not a parameter: the statement then goes as a simple query, whose raw-text rows the embedded
        // store's driver adapter can return (its extended protocol mistakes the type parsers for parameter types).
        // The watermark is PostgreSQL's own rendering of a time or number, quoted with standard_conforming_strings.
        return `${base} WHERE ${col} > ${quoteLiteral(incremental.after)}::${cast} ORDER BY ${col} ASC LIMIT ${SOURCE_ROW_CAP + 1}`;
      },
      incremental ? { orderBy: incremental.column } : {},
    );
    if (result.rows.length > SOURCE_ROW_CAP)
      throw new SourceError('source_row_cap_exceeded', `the source yields more than ${SOURCE_ROW_CAP} rows`);
    return result;
  }

  /**
   * One statement in the sandbox transaction. With `capped`, the statement's columns are described first (LIMIT 0,
   * in the same transaction) and the statement is wrapped in the byte caps.
   */
  private async run(
    accountId: string,
    source: SourceRef,
    statement: (inner: string) => string,
    capped?: { orderBy?: string },
  ): Promise<SourceRows> {
    if (source.type === 'model' && !this.available.has(source.model))
      throw new SourceError('source_error', `unknown model '${source.model}'`);
    if (source.type === 'sql' && this.state.sqlSources !== 'enabled')
      throw new SourceError('sql_sources_unavailable', 'SQL sources are not available on this gateway');
    const inner = source.type === 'model' ? `SELECT * FROM retl_src.${quoteIdent(source.model)}` : source.sql.replace(/;\s*$/, '');
    const runner = this.store.dataSource.createQueryRunner();
    let client: PoolClient | undefined;
    try {
      client = (await runner.connect()) as PoolClient;
      await client.query('BEGIN');
      try {
        await client.query('INSERT INTO public.retl_query_context (account_id) VALUES ($1)', [accountId]);
        await client.query('SET TRANSACTION READ ONLY');
        await client.query(`SET LOCAL statement_timeout = '${SOURCE_TIMEOUT}'`);
        await client.query(`SET LOCAL TimeZone = 'UTC'`);
        await client.query(`SET LOCAL DateStyle = 'ISO, YMD'`);
        await client.query('SET LOCAL search_path = retl_src');
        if (this.state.roleSwitch) await client.query(`SET LOCAL ROLE ${READER_ROLE}`);
        await client.query(`SET LOCAL standard_conforming_strings = on`);
        let text = statement(inner);
        let names: string[] | undefined;
        if (capped) {
          const described = await client.query({ text: describeStatement(inner), types: RAW_TEXT_TYPES, rowMode: 'array' });
          names = described.fields.map((f) => f.name);
          text = withByteCaps(text, names, capped.orderBy);
        }
        const result = await client.query({ text, types: RAW_TEXT_TYPES, rowMode: 'array' });
        const rows = result.rows as (string | null)[][];
        const fields = names ? result.fields.slice(0, names.length) : result.fields;
        // the two size columns the caps added go before anything else sees the rows
        if (names) for (const row of rows) row.length = names.length;
        return { columns: fields.map((f) => ({ name: f.name, oid: f.dataTypeID })), rows };
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    } catch (e) {
      if (e instanceof SourceError) throw e;
      const err = e as { code?: string; message?: string };
      if (err.code === '57014') throw new SourceError('source_timeout', `the source took longer than ${SOURCE_TIMEOUT}`, err.code);
      if (err.code === CAP_SQLSTATE)
        throw new SourceError('source_byte_cap_exceeded', err.message ?? 'the source passes a byte cap', err.code);
      if (this.store.isUnavailable(e)) throw e;
      throw new SourceError('source_error', (err.message ?? 'the source failed').slice(0, 300), err.code);
    } finally {
      await runner.release();
    }
  }
}

function describeStatement(inner: string): string {
  return `SELECT * FROM (\n${inner}\n) src LIMIT 0`;
}

const MiB = (bytes: number) => `${bytes / (1024 * 1024)} MiB`;

/**
 * Wraps a read so that the database itself refuses, before sending the row, a value over SOURCE_VALUE_BYTE_CAP, a
 * row over SOURCE_ROW_BYTE_CAP, or a read whose running total passes SOURCE_READ_BYTE_CAP. Sizes are the octets of
 * each value's text form (plus SOURCE_VALUE_OVERHEAD a value in rows and reads); each is computed once (a LATERAL) and the running total is a window sum in read order. Two
 * size columns are added after the source's own (the caller drops them). `orderBy` repeats the read's order outside.
 */
export function withByteCaps(statement: string, columns: readonly string[], orderBy?: string): string {
  const size = (i: number) => `z.s${i}`;
  const sizes = columns.length ? columns.map((c, i) => `octet_length(g.${quoteIdent(c)}::text) AS s${i}`).join(', ') : 'NULL::int AS s0';
  const rowBytes = columns.length
    ? `${columns.length * SOURCE_VALUE_OVERHEAD} + ${columns.map((_, i) => `coalesce(${size(i)}, 0)`).join(' + ')}`
    : '0';
  const fail = (message: string) => `public.retl_source_cap_exceeded(${message})`;
  const valueChecks = columns
    .map((c, i) => {
      const message = `${quoteLiteral(`the value of column "${c}" is `)} || ${size(i)} || ${quoteLiteral(` bytes, over the cap of ${MiB(SOURCE_VALUE_BYTE_CAP)} per value`)}`;
      return `WHEN ${size(i)} > ${SOURCE_VALUE_BYTE_CAP} THEN ${fail(message)}`;
    })
    .join(' ');
  const rowMessage = `${quoteLiteral('a row is ')} || (${rowBytes}) || ${quoteLiteral(` bytes, over the cap of ${MiB(SOURCE_ROW_BYTE_CAP)} per row`)}`;
  const readMessage = quoteLiteral(`the source yields more than ${MiB(SOURCE_READ_BYTE_CAP)} (the cap of one read)`);
  return `SELECT t.* FROM (
  SELECT r.*, sum(r.plangate__row_bytes) OVER (ROWS UNBOUNDED PRECEDING) AS plangate__read_bytes FROM (
    SELECT g.*, CASE ${valueChecks} WHEN (${rowBytes}) > ${SOURCE_ROW_BYTE_CAP} THEN ${fail(rowMessage)} ELSE (${rowBytes}) END AS plangate__row_bytes
      FROM (\n${statement}\n) g CROSS JOIN LATERAL (SELECT ${sizes}) z
  ) r
) t
WHERE CASE WHEN t.plangate__read_bytes > ${SOURCE_READ_BYTE_CAP} THEN ${fail(readMessage)} > 0 ELSE true END${orderBy ? `\nORDER BY t.${quoteIdent(orderBy)} ASC NULLS LAST` : ''}`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Whether a column may carry a watermark (time or number). */
export function isWatermarkType(oid: number): boolean {
  return oid in WATERMARK_TYPES;
}
