import { type Logger } from '@nestjs/common';
import { type RetlConfig } from '#config';
import { type SettingsRegistry, type StoredSettings } from '#identity';
import { type AccountPlan, type StoreService, type Tx } from '#store';
import { AddressRefused } from './address-guard.js';
import { type PostgresPublic, type PostgresSecrets, type WebhookPublic, type WebhookSecrets } from './destination-config.js';
import { DeliveryAborted, type DeliveryBatch, type DeliveryResult, type RunErrorCode } from './delivery.js';
import { type DestinationsService, type OpenDestination } from './destinations.service.js';
import { mapRow, type FieldMapping, type ObjectSchema, type SyncMode } from './mapping.js';
import { sourceRef } from './models.js';
import { PostgresDestination } from './postgres-destination.js';
import { insertDeadLetters, reopenReplayItems, type DeadLetterInput } from './runs.service.js';
import { SOURCE_READ_BYTE_CAP, SOURCE_ROW_BYTE_CAP, SourceError, type SourceSandbox } from './source-sandbox.service.js';
import { FENCE_SQL, HEARTBEAT_SQL } from './syncs.queries.js';
import { coerce, fromPgText, watermarkText, type DeclaredField } from './values.js';
import { WebhookDestination } from './webhook-destination.js';

/** What a claim returns (syncs.queries.ts CLAIM_RUN_SQL). */
export interface ClaimedRun {
  id: string;
  account_id: string;
  sync_id: string;
  trigger: 'api' | 'schedule' | 'replay';
  full_resync: boolean;
  staged: boolean;
  attempt: number;
  reclaims: number;
  definition: RunDefinition | null;
  previous_status: 'queued' | 'running';
}

/** The sync as it was when the run first started: a running run keeps its definition (docs/reverse-etl.md). */
export interface RunDefinition {
  sourceQuery: string;
  destinationId: string | null;
  objectName: string;
  fieldMappings: FieldMapping[];
  keyFields: string[];
  syncMode: SyncMode;
  watermarkColumn: string | null;
  watermarkFrom: string | null;
  sourceVersion: number;
}

/** A third reclaim fails the run `interrupted` (docs/reverse-etl.md). */
const MAX_RECLAIMS = 2;
/** Staged items go to the store in statements of at most this many rows and bytes (JSON text). */
const INSERT_CHUNK = 1000;
const INSERT_CHUNK_BYTES = 8 * 1024 * 1024;
/**
 * A delivery batch holds at most batchSize rows and stops at the row that passes this many bytes of payload: a
 * batch of large rows never makes one request body (and its copies) of the whole read.
 */
export const DELIVERY_BATCH_BYTES = 8 * 1024 * 1024;
/**
 * What mapping may make of a read: a source column may go to many fields and constants add text, so the staged
 * items are capped too (per row and per run, as JSON), at twice the source's own caps.
 */
export const STAGED_ROW_BYTES = 2 * SOURCE_ROW_BYTE_CAP;
export const STAGED_RUN_BYTES = 2 * SOURCE_READ_BYTE_CAP;

class LostClaim extends Error {}
class RunFailure extends Error {
  constructor(
    readonly code: RunErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Item {
  seq: number;
  payload: Record<string, unknown>;
  replay_of: string | null;
  retry_count: number;
}

/**
 * One claimed run, from its claim to its end (docs/reverse-etl.md): stage (read the source in its own rolled-back
 * sandbox transaction, store the mapped rows as run items with rows_read in one transaction), deliver (next pending
 * items → `sending`, committed; send; each item's outcome and the counters in one transaction), finish (status and
 * watermark in one transaction, items purged). Every write is fenced on the claim (instance and attempt): an
 * executor that lost its claim writes nothing more. Rows left `sending` by a crash are re-sent with the same
 * Idempotency-Key, except in insert mode where they are dead-lettered `delivery_unknown`: never sent twice.
 */
export class RunExecution {
  private readonly controller = new AbortController();
  private heartbeat?: NodeJS.Timeout;
  private stopping = false;
  private lost = false;
  private cancelRequested = false;
  private destination?: OpenDestination;
  private pgDestination?: PostgresDestination;
  private pgSchema?: ObjectSchema;

  constructor(
    private readonly run: ClaimedRun,
    private readonly instanceId: string,
    private readonly cfg: RetlConfig,
    private readonly store: StoreService,
    private readonly destinations: DestinationsService,
    private readonly sandbox: SourceSandbox,
    private readonly settings: SettingsRegistry,
    private readonly logger: Logger,
  ) {}

  /** Finish the current batch, then hand the run back (app.close()). */
  stop(): void {
    this.stopping = true;
  }

  /** Abort the send in flight too: its rows are left `sending` for whoever claims the run next. */
  abort(): void {
    this.stopping = true;
    this.controller.abort();
  }

  async execute(): Promise<void> {
    this.heartbeat = setInterval(() => void this.beat(), this.cfg.heartbeatMs);
    this.heartbeat.unref();
    let phase: 'stage' | 'deliver' = 'stage';
    try {
      const def = await this.definition();
      if (!def) return await this.finish(undefined, 'canceled', { code: 'canceled', message: 'the sync was deleted' });
      if (this.run.previous_status === 'running' && this.run.reclaims > MAX_RECLAIMS) {
        return await this.finish(def, 'failed', { code: 'interrupted', message: `the run was interrupted ${this.run.reclaims} times` });
      }
      await this.openDestination(def);
      if (!this.run.staged) await this.stage(def);
      else await this.recoverSending(def);
      phase = 'deliver';
      await this.deliverAll(def);
    } catch (e) {
      await this.onError(e, phase);
    } finally {
      clearInterval(this.heartbeat);
      await this.pgDestination?.close();
    }
  }

  private async onError(e: unknown, phase: 'stage' | 'deliver'): Promise<void> {
    if (e instanceof LostClaim || this.lost) {
      this.logger.warn(`run ${this.run.id}: the claim was lost; another instance owns it now`);
      return;
    }
    if (e instanceof DeliveryAborted || (this.stopping && this.store.isUnavailable(e))) return this.release();
    if (this.store.isUnavailable(e)) {
      this.logger.warn(`run ${this.run.id}: the store is unavailable; the run is reclaimed when its lease expires`);
      return;
    }
    const failure =
      e instanceof RunFailure
        ? e
        : e instanceof SourceError
          ? new RunFailure(e.code, e.message)
          : new RunFailure(phase === 'stage' ? 'source_error' : 'destination_error', 'unexpected error (see the gateway log)');
    if (!(e instanceof RunFailure) && !(e instanceof SourceError)) {
      this.logger.error(`run ${this.run.id} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    try {
      const def = await this.definition();
      await this.finish(def, 'failed', { code: failure.code, message: failure.message });
    } catch (again) {
      if (!(again instanceof LostClaim)) this.logger.warn(`run ${this.run.id}: could not record its failure: ${String(again)}`);
    }
  }

  private async beat(): Promise<void> {
    try {
      const rows = await this.store.query<{ cancel_requested: boolean }>(HEARTBEAT_SQL, [
        this.run.id,
        this.instanceId,
        this.run.attempt,
        this.cfg.leaseMs,
      ]);
      if (!rows.length) {
        this.lost = true;
        this.controller.abort();
      } else this.cancelRequested = rows[0].cancel_requested;
    } catch {
      // the store is away: the lease runs out and another instance reclaims the run
    }
  }

  /** A transaction that first locks the run under this claim; no longer ours → LostClaim, nothing written. */
  private fenced<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.store.transaction(async (tx) => {
      const [row] = await this.store.query<{ cancel_requested: boolean }>(FENCE_SQL, [this.run.id, this.instanceId, this.run.attempt], tx);
      if (!row) throw new LostClaim();
      this.cancelRequested = row.cancel_requested;
      return work(tx);
    });
  }

  private defCache?: RunDefinition | null;

  /** The run's definition: stored at its first start from the sync, kept thereafter. */
  private async definition(): Promise<RunDefinition | undefined> {
    if (this.defCache !== undefined) return this.defCache ?? undefined;
    if (this.run.definition) return (this.defCache = this.run.definition);
    const def = await this.fenced(async (tx) => {
      const [s] = await this.store.query<{
        source_query: string;
        destination_id: string | null;
        object_name: string;
        field_mappings: FieldMapping[];
        key_fields: string[];
        sync_mode: SyncMode;
        watermark_column: string | null;
        watermark: string | null;
        source_version: number;
        deleted: boolean;
      }>(
        `SELECT source_query, destination_id, object_name, field_mappings, key_fields, sync_mode, watermark_column, watermark, source_version,
                deleted_at IS NOT NULL AS deleted
           FROM retl_syncs WHERE id = $1`,
        [this.run.sync_id],
        tx,
      );
      if (!s || (s.deleted && this.run.trigger !== 'replay')) return null;
      const d: RunDefinition = {
        sourceQuery: s.source_query,
        destinationId: s.destination_id,
        objectName: s.object_name,
        fieldMappings: s.field_mappings,
        keyFields: s.key_fields,
        syncMode: s.sync_mode,
        watermarkColumn: s.watermark_column,
        watermarkFrom: this.run.full_resync ? null : s.watermark,
        sourceVersion: s.source_version,
      };
      await this.store.query(
        `UPDATE retl_runs SET definition = $2, watermark_from = $3 WHERE id = $1`,
        [this.run.id, JSON.stringify(d), d.watermarkFrom],
        tx,
      );
      return d;
    });
    this.defCache = def;
    return def ?? undefined;
  }

  private async openDestination(def: RunDefinition): Promise<void> {
    let dest: OpenDestination | undefined;
    try {
      dest = def.destinationId ? await this.destinations.open(this.run.account_id, def.destinationId) : undefined;
    } catch (e) {
      if (this.store.isUnavailable(e)) throw e;
      throw new RunFailure(
        'destination_auth_failed',
        "this gateway cannot read the destination's secrets (is JWT_SECRET the same on every instance?)",
      );
    }
    if (!dest) throw new RunFailure('destination_error', 'the destination was deleted');
    this.destination = dest;
    if (dest.full.connector === 'postgres') {
      this.pgDestination = new PostgresDestination(dest.full.public, dest.full.secrets as PostgresSecrets, this.destinations.addresses);
    }
  }

  /** Declared webhook fields by name, for coercion (postgres coerces itself). */
  private declaredFields(def: RunDefinition): Map<string, DeclaredField> | undefined {
    if (this.destination?.full.connector !== 'webhook') return undefined;
    const object = (this.destination.full.public as WebhookPublic).objects.find((o) => o.name === def.objectName);
    return object ? new Map(object.fields.map((f) => [f.name, f])) : undefined;
  }

  private async stage(def: RunDefinition): Promise<void> {
    const ref = sourceRef(def.sourceQuery);
    if (ref.type === 'sql') {
      const [account] = await this.store.query<{ settings: StoredSettings; slug: string; plan: AccountPlan }>(
        `SELECT settings, slug, plan FROM accounts WHERE id = $1`,
        [this.run.account_id],
      );
      if (
        this.sandbox.status().sqlSources !== 'enabled' ||
        !account ||
        !this.settings.read('sqlSources', account.settings ?? {}, account)
      ) {
        throw new RunFailure('sql_sources_unavailable', 'SQL sources are not available');
      }
      const refusal = await this.sandbox.check(ref.sql);
      if (refusal) throw new RunFailure('source_error', `the source query is refused: ${refusal.issue}`);
    }
    let incremental: { column: string; oid: number; after: string | null } | undefined;
    if (def.watermarkColumn) {
      const columns = await this.sandbox.describe(this.run.account_id, ref);
      const col = columns.find((c) => c.name === def.watermarkColumn);
      if (!col) throw new RunFailure('source_error', `the source has no column '${def.watermarkColumn}' any more`);
      incremental = { column: col.name, oid: col.oid, after: def.watermarkFrom };
    }
    const { columns, rows } = await this.sandbox.read(this.run.account_id, ref, incremental);
    const rowsRead = rows.length;
    const wmIndex = incremental ? columns.findIndex((c) => c.name === incremental.column) : -1;
    const declared = this.declaredFields(def);
    // Rows that do not fit a declared field are dead-lettered here and stored `done`, so that the watermark counts them.
    // Each row is turned into its item's JSON text at once and let go, so a large read is held about twice, not
    // once per shape it passes through (text, record, payload, item, JSON).
    const chunks: string[][] = [[]];
    let chunkBytes = 0;
    let stagedBytes = 0;
    const failed: DeadLetterInput[] = [];
    for (let i = 0; i < rows.length; i++) {
      const values = rows[i];
      (rows as unknown[])[i] = undefined;
      const record: Record<string, unknown> = {};
      columns.forEach((c, j) => (record[c.name] = fromPgText(values[j], c.oid)));
      const mapped = mapRow(def.fieldMappings, record);
      const watermark = wmIndex >= 0 ? watermarkText(values[wmIndex], columns[wmIndex].oid) : null;
      const fitted = declared ? fitDeclared(mapped, declared) : { ok: true as const, payload: mapped };
      if (!fitted.ok) failed.push({ code: fitted.code, message: fitted.message, retryCount: 0, row: mapped, replayOf: null });
      const item = JSON.stringify({
        seq: i + 1,
        payload: fitted.ok ? fitted.payload : mapped,
        watermark,
        status: fitted.ok ? 'pending' : 'done',
      });
      if (item.length > STAGED_ROW_BYTES) {
        throw new RunFailure(
          'source_byte_cap_exceeded',
          `row ${i + 1} is ${item.length} bytes once mapped, over the cap of ${STAGED_ROW_BYTES / 1024 / 1024} MiB per mapped row`,
        );
      }
      stagedBytes += item.length;
      if (stagedBytes > STAGED_RUN_BYTES) {
        throw new RunFailure(
          'source_byte_cap_exceeded',
          `the mapped rows come to more than ${STAGED_RUN_BYTES / 1024 / 1024} MiB (the cap of one run)`,
        );
      }
      let chunk = chunks[chunks.length - 1];
      if (chunk.length >= INSERT_CHUNK || (chunk.length && chunkBytes + item.length > INSERT_CHUNK_BYTES)) {
        chunks.push((chunk = []));
        chunkBytes = 0;
      }
      chunk.push(item);
      chunkBytes += item.length;
    }
    await this.fenced(async (tx) => {
      for (let i = 0; i < chunks.length; i++) {
        if (!chunks[i].length) continue;
        const json = `[${chunks[i].join(',')}]`;
        chunks[i] = [];
        await this.store.query(
          `INSERT INTO retl_run_items (run_id, seq, payload, watermark, status)
           SELECT $1, x.seq, x.payload, x.watermark, x.status FROM jsonb_to_recordset($2::jsonb) AS x(seq int, payload jsonb, watermark text, status text)`,
          [this.run.id, json],
          tx,
        );
      }
      await insertDeadLetters(this.store, tx, this.dlqTarget(def, failed));
      await this.store.query(
        `UPDATE retl_runs SET staged = true, rows_read = $2, rows_failed = rows_failed + $3 WHERE id = $1`,
        [this.run.id, rowsRead, failed.length],
        tx,
      );
    });
  }

  private dlqTarget(def: RunDefinition, entries: DeadLetterInput[]) {
    return {
      accountId: this.run.account_id,
      syncId: this.run.sync_id,
      runId: this.run.id,
      destinationId: def.destinationId ?? '',
      objectName: def.objectName,
      entries,
    };
  }

  /** A reclaimed or resumed run: rows left `sending` are re-sent (same key), or dead-lettered in insert mode. */
  private async recoverSending(def: RunDefinition): Promise<void> {
    await this.fenced(async (tx) => this.settleSending(def, tx));
  }

  private async settleSending(def: RunDefinition, tx: Tx): Promise<void> {
    if (def.syncMode !== 'insert') {
      await this.store.query(`UPDATE retl_run_items SET status = 'pending' WHERE run_id = $1 AND status = 'sending'`, [this.run.id], tx);
      return;
    }
    const unknown = await this.store.query<Item>(
      `SELECT seq, payload, replay_of, retry_count FROM retl_run_items WHERE run_id = $1 AND status = 'sending' ORDER BY seq`,
      [this.run.id],
      tx,
    );
    if (!unknown.length) return;
    const message = 'the gateway stopped while these rows were being sent: they may or may not have been inserted (never sent twice)';
    await insertDeadLetters(
      this.store,
      tx,
      this.dlqTarget(
        def,
        unknown.map((i) => ({ code: 'delivery_unknown', message, retryCount: i.retry_count, row: i.payload, replayOf: i.replay_of })),
      ),
    );
    await this.store.query(`UPDATE retl_run_items SET status = 'done' WHERE run_id = $1 AND status = 'sending'`, [this.run.id], tx);
    await this.store.query(`UPDATE retl_runs SET rows_failed = rows_failed + $2 WHERE id = $1`, [this.run.id, unknown.length], tx);
  }

  private batchSize(): number {
    return (this.destination!.full.public as WebhookPublic | PostgresPublic).batchSize;
  }

  private async deliverAll(def: RunDefinition): Promise<void> {
    for (;;) {
      if (this.stopping) return this.release();
      if (this.cancelRequested) return this.finish(def, 'canceled', { code: 'canceled', message: 'the run was canceled' });
      const batch = await this.fenced(async (tx) => {
        if (this.cancelRequested) return 'canceled' as const;
        const [first] = await this.store.query<{ batch: string | null }>(
          `SELECT batch FROM retl_run_items WHERE run_id = $1 AND status = 'pending' ORDER BY seq LIMIT 1`,
          [this.run.id],
          tx,
        );
        if (!first) return undefined;
        let label = first.batch;
        let rows: Item[];
        if (label) {
          rows = await this.store.query<Item>(
            `SELECT seq, payload, replay_of, retry_count FROM retl_run_items WHERE run_id = $1 AND status = 'pending' AND batch = $2 ORDER BY seq`,
            [this.run.id, label],
            tx,
          );
        } else {
          const [{ batches }] = await this.store.query<{ batches: number }>(
            `UPDATE retl_runs SET batches = batches + 1 WHERE id = $1 RETURNING batches`,
            [this.run.id],
            tx,
          );
          label = String(batches);
          // the first row always; then rows while the bytes before them stay under DELIVERY_BATCH_BYTES
          rows = await this.store.query<Item>(
            `SELECT seq, payload, replay_of, retry_count FROM (
               SELECT i.*, sum(octet_length(i.payload::text)) OVER (ORDER BY i.seq) - octet_length(i.payload::text) AS bytes_before
                 FROM (SELECT seq, payload, replay_of, retry_count FROM retl_run_items
                        WHERE run_id = $1 AND status = 'pending' AND batch IS NULL ORDER BY seq LIMIT $2) i
             ) w WHERE w.bytes_before < $3 ORDER BY seq`,
            [this.run.id, this.batchSize(), DELIVERY_BATCH_BYTES],
            tx,
          );
        }
        await this.store.query(
          `UPDATE retl_run_items SET status = 'sending', batch = $3 WHERE run_id = $1 AND seq = ANY($2::int[])`,
          [this.run.id, rows.map((r) => r.seq), label],
          tx,
        );
        return { label, rows };
      });
      if (batch === 'canceled') continue;
      if (!batch) return this.finish(def, 'succeeded', null);
      const result = await this.send(def, batch.label, batch.rows);
      await this.record(def, batch.rows, result);
      if (result.runError) return this.finish(def, 'failed', result.runError);
    }
  }

  private async send(def: RunDefinition, label: string, rows: Item[]): Promise<DeliveryResult> {
    const batch: DeliveryBatch = {
      syncId: this.run.sync_id,
      runId: this.run.id,
      label,
      object: def.objectName,
      mode: def.syncMode,
      keyFields: def.keyFields,
      rows: rows.map((r) => ({ seq: r.seq, payload: r.payload })),
    };
    const full = this.destination!.full;
    if (full.connector === 'webhook') {
      return new WebhookDestination(full.public, full.secrets as WebhookSecrets, this.destinations.addresses).deliver(
        batch,
        this.controller.signal,
      );
    }
    if (!this.pgSchema) {
      try {
        const objects = await this.pgDestination!.introspect();
        this.pgSchema = objects.find((o) => o.name === def.objectName);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (e instanceof AddressRefused) return failAll(batch, 'forbidden_address', message);
        return failAll(batch, 'destination_unavailable', message);
      }
      if (!this.pgSchema) return failAll(batch, 'destination_error', `the table '${def.objectName}' no longer exists`);
    }
    return this.pgDestination!.deliver(batch, this.pgSchema, this.controller.signal);
  }

  /** Each item's outcome and the counters in one transaction; the destination's status from the answer. */
  private async record(def: RunDefinition, rows: Item[], result: DeliveryResult): Promise<void> {
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    await this.fenced(async (tx) => {
      const done = [...result.written, ...result.failed.map((f) => f.seq)];
      await this.store.query(
        `UPDATE retl_run_items SET status = 'done' WHERE run_id = $1 AND seq = ANY($2::int[])`,
        [this.run.id, done],
        tx,
      );
      // rows the answer did not settle (none expected) go back to pending
      await this.store.query(`UPDATE retl_run_items SET status = 'pending' WHERE run_id = $1 AND status = 'sending'`, [this.run.id], tx);
      await insertDeadLetters(
        this.store,
        tx,
        this.dlqTarget(
          def,
          result.failed.map((f) => {
            const item = bySeq.get(f.seq)!;
            return {
              code: f.code,
              message: f.message,
              retryCount: item.retry_count + result.retries,
              row: item.payload,
              replayOf: item.replay_of,
            };
          }),
        ),
      );
      await this.store.query(
        `UPDATE retl_runs SET rows_written = rows_written + $2, rows_failed = rows_failed + $3 WHERE id = $1`,
        [this.run.id, result.written.length, result.failed.length],
        tx,
      );
    });
    if (this.destination) {
      await this.destinations
        .setStatus(this.destination.id, result.destinationError ? 'error' : 'connected', result.destinationError ?? null)
        .catch(() => undefined);
    }
  }

  /**
   * The end, in one transaction: a replay's undelivered rows reopen as dead letters; in insert mode rows left
   * `sending` are dead-lettered; the watermark becomes the greatest W such that every read row ≤ W was written or
   * dead-lettered (only if the sync's source did not change meanwhile); the run's status; its items purged.
   */
  private async finish(
    def: RunDefinition | undefined,
    status: 'succeeded' | 'failed' | 'canceled',
    error: { code: string; message: string } | null,
  ): Promise<void> {
    await this.fenced(async (tx) => {
      if (def && status !== 'succeeded') {
        if (def.syncMode === 'insert') await this.settleSending(def, tx);
        if (this.run.trigger === 'replay')
          await reopenReplayItems(
            this.store,
            tx,
            this.run.id,
            error?.code ?? 'replay_canceled',
            error?.message ?? 'the replay did not finish',
          );
      }
      let watermark: string | null = null;
      if (def?.watermarkColumn && this.run.trigger !== 'replay') {
        const [w] = await this.store.query<{ watermark: string }>(
          `WITH first_open AS (SELECT seq, watermark FROM retl_run_items WHERE run_id = $1 AND status <> 'done' ORDER BY seq LIMIT 1)
           SELECT i.watermark FROM retl_run_items i
            WHERE i.run_id = $1 AND i.watermark IS NOT NULL
              AND (NOT EXISTS (SELECT 1 FROM first_open)
                   OR (i.seq < (SELECT seq FROM first_open) AND i.watermark IS DISTINCT FROM (SELECT watermark FROM first_open)))
            ORDER BY i.seq DESC LIMIT 1`,
          [this.run.id],
          tx,
        );
        watermark = w?.watermark ?? null;
        if (watermark !== null) {
          await this.store.query(
            `UPDATE retl_syncs SET watermark = $2 WHERE id = $1 AND source_version = $3`,
            [this.run.sync_id, watermark, def.sourceVersion],
            tx,
          );
        }
      }
      await this.store.query(
        `UPDATE retl_runs SET status = $2, error = $3, finished_at = clock_timestamp(), watermark_to = coalesce($4, watermark_from),
                claimed_by = NULL, lease_until = NULL, cancel_requested = false
          WHERE id = $1`,
        [this.run.id, status, error ? JSON.stringify(error) : null, watermark],
        tx,
      );
      await this.store.query(`DELETE FROM retl_run_items WHERE run_id = $1`, [this.run.id], tx);
    });
  }

  /** Shutdown: the run goes back to the queue (its items and definition kept) for any instance to take up. */
  private async release(): Promise<void> {
    try {
      await this.store.query(
        `UPDATE retl_runs SET status = 'queued', claimed_by = NULL, lease_until = NULL
          WHERE id = $1 AND claimed_by = $2 AND attempt = $3 AND status = 'running'`,
        [this.run.id, this.instanceId, this.run.attempt],
      );
    } catch {
      // the store is closing or away: the lease expires and the run is reclaimed
    }
  }
}

/** A mapped row made to fit the declared fields of a webhook object (docs/reverse-etl.md), or why it cannot be sent. */
function fitDeclared(
  row: Record<string, unknown>,
  declared: Map<string, DeclaredField>,
): { ok: true; payload: Record<string, unknown> } | { ok: false; code: string; message: string } {
  const payload: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    const field = declared.get(name);
    if (!field) {
      payload[name] = value;
      continue;
    }
    const c = coerce(value, field);
    if (!c.ok) return { ok: false, code: c.code, message: c.message };
    payload[name] = c.value;
  }
  return { ok: true, payload };
}

function failAll(batch: DeliveryBatch, code: RunErrorCode, message: string): DeliveryResult {
  return {
    written: [],
    failed: batch.rows.map((r) => ({ seq: r.seq, code, message })),
    retries: 0,
    runError: { code, message },
    destinationError: message,
  };
}
