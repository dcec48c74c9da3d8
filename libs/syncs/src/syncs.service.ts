import { Injectable } from '@nestjs/common';
import { DomainError, type FieldIssue } from '#errors';
import { SettingsRegistry, type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { issue } from './aliases.js';
import { decodeCursor, toPage, type Page, type PageRequest } from './cursor.js';
import { DestinationsService, quotaExceeded } from './destinations.service.js';
import { isId, newId } from './ids.js';
import { SYNC_MODES, validateMappings, type FieldMapping, type ObjectSchema, type SyncMode } from './mapping.js';
import { MODEL_PREFIX, sourceRef } from './models.js';
import { RunsService, type Run } from './runs.service.js';
import { nextOccurrence, parseSchedule, type Schedule } from './schedule.js';
import { MAX_SOURCE_QUERY } from './sql-guard.js';
import { isWatermarkType, SourceError, SourceSandbox, type SourceColumn } from './source-sandbox.service.js';

export const MAX_SYNCS = 500;
export const MAX_RUN_IDS = 50;

export interface Sync {
  id: string;
  name: string;
  sourceQuery: string;
  sourceType: 'model' | 'sql';
  destinationId: string | null;
  objectName: string;
  fieldMappings: FieldMapping[];
  keyFields: string[];
  syncMode: SyncMode;
  schedule: Schedule;
  enabled: boolean;
  watermarkColumn: string | null;
  watermark: string | null;
  sourceVersion: number;
  status: 'healthy' | 'failing' | 'paused';
  lastRunId: string | null;
  lastRunStatus: string | null;
  lastRunAt: Date | null;
  nextRunAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A sync's definition from the wire: raw values, validated here whole (create, or merged for PUT). */
export interface SyncDraft {
  name?: unknown;
  sourceQuery?: unknown;
  destinationId?: unknown;
  objectName?: unknown;
  fieldMappings?: unknown;
  syncMode?: unknown;
  schedule?: unknown;
  watermarkColumn?: unknown;
  enabled?: unknown;
}

interface Row {
  id: string;
  name: string;
  source_query: string;
  source_type: 'model' | 'sql';
  destination_id: string | null;
  object_name: string;
  field_mappings: FieldMapping[];
  key_fields: string[];
  sync_mode: SyncMode;
  schedule: Schedule;
  next_run_at: Date | null;
  enabled: boolean;
  watermark_column: string | null;
  watermark: string | null;
  source_version: number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  last_run_id: string | null;
  last_run_status: string | null;
  last_run_at: Date | null;
  last_finished_status: string | null;
  open_dlq: boolean;
}

export const SYNC_SELECT = `SELECT s.id, s.name, s.source_query, s.source_type, s.destination_id, s.object_name, s.field_mappings, s.key_fields,
       s.sync_mode, s.schedule, s.next_run_at, s.enabled, s.watermark_column, s.watermark, s.source_version, s.created_by,
       s.created_at, s.updated_at, lr.id AS last_run_id, lr.status AS last_run_status,
       coalesce(lr.started_at, lr.created_at) AS last_run_at, lf.status AS last_finished_status,
       EXISTS (SELECT 1 FROM retl_dead_letters d WHERE d.sync_id = s.id AND d.status = 'open') AS open_dlq
  FROM retl_syncs s
  LEFT JOIN LATERAL (SELECT r.id, r.status, r.started_at, r.created_at FROM retl_runs r WHERE r.sync_id = s.id ORDER BY r.id DESC LIMIT 1) lr ON true
  LEFT JOIN LATERAL (SELECT r.status FROM retl_runs r WHERE r.sync_id = s.id AND r.status IN ('succeeded', 'failed', 'canceled') ORDER BY r.id DESC LIMIT 1) lf ON true`;

function toSync(r: Row): Sync {
  return {
    id: r.id,
    name: r.name,
    sourceQuery: r.source_query,
    sourceType: r.source_type,
    destinationId: r.destination_id,
    objectName: r.object_name,
    fieldMappings: r.field_mappings,
    keyFields: r.key_fields,
    syncMode: r.sync_mode,
    schedule: r.schedule,
    enabled: r.enabled,
    watermarkColumn: r.watermark_column,
    watermark: r.watermark,
    sourceVersion: r.source_version,
    status: !r.enabled ? 'paused' : r.last_finished_status === 'failed' || r.open_dlq ? 'failing' : 'healthy',
    lastRunId: r.last_run_id,
    lastRunStatus: r.last_run_status,
    lastRunAt: r.last_run_at,
    nextRunAt: r.enabled ? r.next_run_at : null,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function notFound(): DomainError {
  return DomainError.notFound('sync', 'no such sync');
}

function invalid(issues: FieldIssue[]): DomainError {
  return DomainError.invalid(issues, `${issues.length} field${issues.length === 1 ? ' is' : 's are'} invalid`);
}

interface Validated {
  name: string;
  sourceQuery: string;
  sourceType: 'model' | 'sql';
  destinationId: string;
  objectName: string;
  fieldMappings: FieldMapping[];
  keyFields: string[];
  syncMode: SyncMode;
  schedule: Schedule;
  watermarkColumn: string | null;
  enabled: boolean;
}

export type RunRequestResult =
  { queued: Run } | { skipped: { syncId: string; reason: 'disabled' | 'already_running'; activeRunId: string | null } };

/** Syncs of an account (docs/reverse-etl.md): validated whole against their source and destination. */
@Injectable()
export class SyncsService {
  constructor(
    private readonly store: StoreService,
    private readonly destinations: DestinationsService,
    private readonly sandbox: SourceSandbox,
    private readonly runs: RunsService,
    private readonly settings: SettingsRegistry,
  ) {}

  async list(p: Principal, filters: { destinationId?: string; enabled?: boolean }, page: PageRequest): Promise<Page<Sync>> {
    const f = { destination_id: filters.destinationId ?? null, enabled: filters.enabled ?? null };
    const after = page.after === undefined ? '' : decodeCursor('syncs', f, page.after);
    const rows = await this.store.query<Row>(
      `${SYNC_SELECT}
        WHERE s.account_id = $1 AND s.deleted_at IS NULL AND s.id > $2
          AND ($3::text IS NULL OR s.destination_id = $3) AND ($4::boolean IS NULL OR s.enabled = $4)
        ORDER BY s.id LIMIT $5`,
      [p.accountId, after, f.destination_id, f.enabled, page.limit + 1],
    );
    return toPage('syncs', f, rows.map(toSync), page.limit, (s) => s.id);
  }

  async get(p: Principal, id: string, tx?: Tx): Promise<Sync> {
    if (!isId('sync', id)) throw notFound();
    const [row] = await this.store.query<Row>(
      `${SYNC_SELECT} WHERE s.account_id = $1 AND s.id = $2 AND s.deleted_at IS NULL`,
      [p.accountId, id],
      tx,
    );
    if (!row) throw notFound();
    return toSync(row);
  }

  async create(p: Principal, draft: SyncDraft): Promise<Sync> {
    const v = await this.validate(p, draft);
    const id = newId('sync');
    await this.store.transaction(async (tx) => {
      const [{ n }] = await this.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM retl_syncs WHERE account_id = $1 AND deleted_at IS NULL`,
        [p.accountId],
        tx,
      );
      if (n >= MAX_SYNCS) throw quotaExceeded(`at most ${MAX_SYNCS} syncs per account`);
      // The destination must still be there (a concurrent DELETE waits for this transaction, then sees the sync).
      const [dest] = await this.store.query(
        `SELECT id FROM retl_destinations WHERE account_id = $1 AND id = $2 FOR SHARE`,
        [p.accountId, v.destinationId],
        tx,
      );
      if (!dest) throw invalid([issue('destinationId', 'unknown_destination', 'no such destination')]);
      await this.store.query(
        `INSERT INTO retl_syncs (id, account_id, name, source_query, source_type, destination_id, object_name, field_mappings, key_fields,
                                 sync_mode, schedule, next_run_at, enabled, watermark_column, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          id,
          p.accountId,
          v.name,
          v.sourceQuery,
          v.sourceType,
          v.destinationId,
          v.objectName,
          JSON.stringify(v.fieldMappings),
          JSON.stringify(v.keyFields),
          v.syncMode,
          JSON.stringify(v.schedule),
          v.enabled ? nextOccurrence(v.schedule, new Date()) : null,
          v.enabled,
          v.watermarkColumn,
          p.username,
        ],
        tx,
      );
    });
    return this.get(p, id);
  }

  /** Partial: the merged definition is validated whole; a new source or watermark column resets the watermark. */
  async update(p: Principal, id: string, patch: SyncDraft): Promise<Sync> {
    const current = await this.get(p, id);
    const merged: SyncDraft = {
      name: current.name,
      sourceQuery: current.sourceQuery,
      destinationId: current.destinationId ?? undefined,
      objectName: current.objectName,
      fieldMappings: current.fieldMappings,
      syncMode: current.syncMode,
      schedule: current.schedule,
      watermarkColumn: current.watermarkColumn,
      enabled: current.enabled,
    };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    const v = await this.validate(p, merged);
    const resetWatermark = v.sourceQuery !== current.sourceQuery || v.watermarkColumn !== current.watermarkColumn;
    const scheduleChanged = JSON.stringify(v.schedule) !== JSON.stringify(current.schedule) || v.enabled !== current.enabled;
    await this.store.transaction(async (tx) => {
      const [dest] = await this.store.query(
        `SELECT id FROM retl_destinations WHERE account_id = $1 AND id = $2 FOR SHARE`,
        [p.accountId, v.destinationId],
        tx,
      );
      if (!dest) throw invalid([issue('destinationId', 'unknown_destination', 'no such destination')]);
      const [row] = await this.store.query(
        `UPDATE retl_syncs SET name = $3, source_query = $4, source_type = $5, destination_id = $6, object_name = $7, field_mappings = $8,
                key_fields = $9, sync_mode = $10, schedule = $11, enabled = $12, watermark_column = $13,
                watermark = CASE WHEN $14 THEN NULL ELSE watermark END,
                source_version = source_version + CASE WHEN $14 THEN 1 ELSE 0 END,
                next_run_at = CASE WHEN $15 THEN $16 ELSE next_run_at END, updated_at = clock_timestamp()
          WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id`,
        [
          p.accountId,
          id,
          v.name,
          v.sourceQuery,
          v.sourceType,
          v.destinationId,
          v.objectName,
          JSON.stringify(v.fieldMappings),
          JSON.stringify(v.keyFields),
          v.syncMode,
          JSON.stringify(v.schedule),
          v.enabled,
          v.watermarkColumn,
          resetWatermark,
          scheduleChanged,
          v.enabled ? nextOccurrence(v.schedule, new Date()) : null,
        ],
        tx,
      );
      if (!row) throw notFound();
    });
    return this.get(p, id);
  }

  /** Soft delete: queued runs canceled, a running one after its batch, open DLQ entries resolved `sync_deleted`. */
  async delete(p: Principal, id: string): Promise<void> {
    if (!isId('sync', id)) throw notFound();
    await this.store.transaction(async (tx) => {
      const [row] = await this.store.query(
        `UPDATE retl_syncs SET deleted_at = clock_timestamp(), enabled = false, next_run_at = NULL, updated_at = clock_timestamp()
          WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id`,
        [p.accountId, id],
        tx,
      );
      if (!row) throw notFound();
      await this.runs.cancelAllOf(id, tx);
      await this.store.query(
        `UPDATE retl_dead_letters SET status = 'resolved', resolved_at = clock_timestamp(), resolution_reason = 'sync_deleted', resolved_by = $2
          WHERE sync_id = $1 AND status = 'open'`,
        [id, p.username],
        tx,
      );
    });
  }

  /** `POST /sync/toggle`: disabled syncs are skipped by schedule and API; enabling recomputes next_run_at from now. */
  async toggle(p: Principal, id: string, enabled: boolean): Promise<Sync> {
    const current = await this.get(p, id);
    await this.store.query(
      `UPDATE retl_syncs SET enabled = $3, next_run_at = $4, updated_at = clock_timestamp() WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL`,
      [p.accountId, id, enabled, enabled ? nextOccurrence(current.schedule, new Date()) : null],
    );
    return this.get(p, id);
  }

  /**
   * `POST /sync/run`: every id must be this account's (else 404, nothing queued); in order, each sync gets a queued
   * run, or is skipped (`disabled`, `already_running` naming the active run). One transaction, syncs locked.
   */
  async requestRuns(p: Principal, ids: string[], fullResync: boolean): Promise<RunRequestResult[]> {
    if (ids.some((id) => !isId('sync', id))) throw notFound();
    const results = await this.store.transaction(async (tx) => {
      const rows = await this.store.query<{ id: string; enabled: boolean }>(
        `SELECT id, enabled FROM retl_syncs WHERE account_id = $1 AND id = ANY($2::text[]) AND deleted_at IS NULL ORDER BY id FOR UPDATE`,
        [p.accountId, ids],
        tx,
      );
      if (rows.length !== ids.length) throw notFound();
      const byId = new Map(rows.map((r) => [r.id, r]));
      const out: RunRequestResult[] = [];
      for (const id of ids) {
        if (!byId.get(id)!.enabled) {
          out.push({ skipped: { syncId: id, reason: 'disabled', activeRunId: null } });
          continue;
        }
        const active = await this.runs.activeRunOf(id, tx);
        if (active) {
          out.push({ skipped: { syncId: id, reason: 'already_running', activeRunId: active } });
          continue;
        }
        out.push({
          queued: await this.runs.queue(tx, { accountId: p.accountId, syncId: id, trigger: 'api', triggeredBy: p.username, fullResync }),
        });
      }
      return out;
    });
    this.runs.queued();
    return results;
  }

  /** The columns a source yields, or the issue that keeps it from being read. */
  async describeSource(p: Principal, sourceQuery: string): Promise<{ columns?: SourceColumn[]; issues: FieldIssue[] }> {
    const ref = sourceRef(sourceQuery);
    if (ref.type === 'model') {
      if (!this.sandbox.hasModel(ref.model)) {
        return {
          issues: [
            issue(
              'sourceQuery',
              'unknown_model',
              `no model '${ref.model.slice(0, 64)}' (${this.sandbox
                .models()
                .map((m) => MODEL_PREFIX + m)
                .join(', ')})`,
            ),
          ],
        };
      }
    } else {
      const refusal = await this.sandbox.check(ref.sql);
      if (refusal) return { issues: [issue('sourceQuery', refusal.issue, refusal.message)] };
      if (this.sandbox.status().sqlSources !== 'enabled' || !this.settings.of('sqlSources', p)) {
        return {
          issues: [
            issue('sourceQuery', 'sql_sources_unavailable', 'SQL sources are not available: use a model reference (model:touchpoints)'),
          ],
        };
      }
    }
    try {
      const columns = await this.sandbox.describe(p.accountId, ref);
      const names = columns.map((c) => c.name);
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup !== undefined)
        return { issues: [issue('sourceQuery', 'duplicate_column', `the column '${dup}' appears twice: alias one of them`)] };
      return { columns, issues: [] };
    } catch (e) {
      if (e instanceof SourceError)
        return { issues: [issue('sourceQuery', e.code === 'sql_sources_unavailable' ? e.code : 'sql_error', e.message)] };
      throw e;
    }
  }

  private async validate(p: Principal, d: SyncDraft): Promise<Validated> {
    const issues: FieldIssue[] = [];
    const required = (field: string, value: unknown) => {
      if (value === undefined || value === null || value === '') {
        issues.push(issue(field, 'missing', 'required'));
        return false;
      }
      return true;
    };
    let name = '';
    if (required('name', d.name)) {
      if (typeof d.name !== 'string' || !d.name.trim()) issues.push(issue('name', 'invalid_value', 'must be text'));
      else if (d.name.length > 200) issues.push(issue('name', 'too_long', 'at most 200 characters'));
      else name = d.name.trim();
    }

    let columns: SourceColumn[] | undefined;
    let sourceQuery = '';
    if (required('sourceQuery', d.sourceQuery)) {
      if (typeof d.sourceQuery !== 'string') issues.push(issue('sourceQuery', 'invalid_value', 'must be text'));
      else if (d.sourceQuery.length > MAX_SOURCE_QUERY)
        issues.push(issue('sourceQuery', 'too_long', `at most ${MAX_SOURCE_QUERY} characters`));
      else {
        const ref = sourceRef(d.sourceQuery);
        sourceQuery = ref.type === 'model' ? `${MODEL_PREFIX}${ref.model}` : d.sourceQuery;
        const described = await this.describeSource(p, sourceQuery);
        issues.push(...described.issues);
        columns = described.columns;
      }
    }

    let object: ObjectSchema | undefined;
    let destinationId = '';
    if (required('destinationId', d.destinationId)) {
      if (typeof d.destinationId !== 'string' || !isId('destination', d.destinationId))
        issues.push(issue('destinationId', 'unknown_destination', 'no such destination'));
      else {
        destinationId = d.destinationId;
        try {
          await this.destinations.get(p, destinationId);
          if (required('objectName', d.objectName)) {
            if (typeof d.objectName !== 'string' || d.objectName.length > 128)
              issues.push(issue('objectName', 'unknown_object', 'no such object'));
            else {
              object = await this.destinations.object(p, destinationId, d.objectName);
              if (!object)
                issues.push(issue('objectName', 'unknown_object', `the destination has no object '${d.objectName.slice(0, 128)}'`));
            }
          }
        } catch (e) {
          if (e instanceof DomainError && e.code === 'NOT_FOUND')
            issues.push(issue('destinationId', 'unknown_destination', 'no such destination'));
          else if (e instanceof DomainError && e.code === 'INVALID')
            issues.push(...e.fields.map((f) => ({ ...f, field: 'destinationId' })));
          else throw e;
        }
      }
    } else required('objectName', d.objectName);

    let syncMode: SyncMode | undefined;
    if (required('syncMode', d.syncMode)) {
      if (!SYNC_MODES.includes(d.syncMode as SyncMode))
        issues.push(issue('syncMode', 'unsupported_mode', `must be one of ${SYNC_MODES.join(', ')}`));
      else if (object && !object.modes.includes(d.syncMode as SyncMode))
        issues.push(issue('syncMode', 'unsupported_mode', `${object.name} supports ${object.modes.join(', ')}`));
      else syncMode = d.syncMode as SyncMode;
    }

    const mapped = validateMappings(
      d.fieldMappings,
      columns?.map((c) => c.name),
      object,
      syncMode,
    );
    issues.push(...mapped.issues);

    const { schedule, issues: scheduleIssues } = parseSchedule(d.schedule);
    issues.push(...scheduleIssues);

    let watermarkColumn: string | null = null;
    if (d.watermarkColumn !== undefined && d.watermarkColumn !== null && d.watermarkColumn !== '') {
      if (typeof d.watermarkColumn !== 'string') issues.push(issue('watermarkColumn', 'invalid_value', 'must be a column name'));
      else if (columns) {
        const col = columns.find((c) => c.name === d.watermarkColumn);
        if (!col) issues.push(issue('watermarkColumn', 'unknown_column', `the source has no column '${d.watermarkColumn.slice(0, 100)}'`));
        else if (!isWatermarkType(col.oid))
          issues.push(issue('watermarkColumn', 'invalid_watermark_column', 'must be a time or number column'));
        else watermarkColumn = d.watermarkColumn;
      }
    }

    if (d.enabled !== undefined && typeof d.enabled !== 'boolean') issues.push(issue('enabled', 'invalid_value', 'must be true or false'));
    if (issues.length) throw invalid(issues);
    return {
      name,
      sourceQuery,
      sourceType: sourceRef(sourceQuery).type,
      destinationId,
      objectName: object!.name,
      fieldMappings: mapped.mappings!,
      keyFields: mapped.mappings!.filter((m) => m.isKey).map((m) => m.destination),
      syncMode: syncMode!,
      schedule: schedule!,
      watermarkColumn,
      enabled: d.enabled === undefined ? true : (d.enabled as boolean),
    };
  }
}
