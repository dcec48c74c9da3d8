import {
  type DeadLetter,
  type DeadLetterStats,
  type Destination,
  type DestinationField,
  type ObjectSchema,
  type Page,
  type PostgresPublic,
  type ResolveResult,
  type Run,
  type RunRequestResult,
  type Sync,
  type WebhookPublic,
} from '#syncs';

/** ISO 8601 UTC with milliseconds, or null. */
export function iso(d: Date | string | null | undefined): string | null {
  if (d === null || d === undefined) return null;
  return (d instanceof Date ? d : new Date(d)).toISOString();
}

export function resource(id: string | null, type: string, attributes: Record<string, unknown>) {
  return { id, type, attributes };
}

export function list<T>(page: Page<T>, render: (row: T) => unknown) {
  return { data: page.rows.map(render), meta: { page: { limit: page.limit, cursor: page.cursor } } };
}

function destinationConfig(d: Destination) {
  if (d.connector === 'webhook') {
    const c = d.config as WebhookPublic;
    return {
      url: c.urlShown,
      method: c.method,
      header_names: c.headerNames,
      signing: c.signing,
      batch_size: c.batchSize,
      timeout_ms: c.timeoutMs,
      max_retries: c.maxRetries,
      objects: c.objects.map((o) => ({
        name: o.name,
        label: o.label ?? null,
        fields: o.fields.map((f) => ({
          name: f.name,
          type: f.type,
          required: !!f.required,
          is_identifier: !!f.isIdentifier,
          max_length: f.maxLength ?? null,
        })),
      })),
    };
  }
  const c = d.config as PostgresPublic;
  return {
    host: c.host,
    port: c.port,
    database: c.database,
    schema: c.schema,
    batch_size: c.batchSize,
    timeout_ms: c.timeoutMs,
    max_retries: c.maxRetries,
  };
}

export function destinationResource(d: Destination) {
  return resource(d.id, 'destination', {
    name: d.name,
    connector: d.connector,
    category: d.connector === 'webhook' ? 'webhook' : 'database',
    status: d.status,
    last_error: d.lastError,
    config: destinationConfig(d),
    created_at: iso(d.createdAt),
    updated_at: iso(d.updatedAt),
  });
}

export function objectResource(o: ObjectSchema) {
  return resource(o.name, 'destination_object', { name: o.name, label: o.label, supported_modes: o.modes, key_fields: o.keyFields });
}

export function fieldResource(f: DestinationField) {
  return resource(f.name, 'destination_field', {
    name: f.name,
    label: f.label,
    data_type: f.dataType,
    required: f.required,
    nullable: f.nullable,
    is_identifier: f.isIdentifier,
    writable: f.writable,
    max_length: f.maxLength,
  });
}

export function syncResource(s: Sync) {
  return resource(s.id, 'reverse_etl_sync', {
    name: s.name,
    source_query: s.sourceQuery,
    source_type: s.sourceType,
    destination_id: s.destinationId,
    object_name: s.objectName,
    field_mappings: s.fieldMappings.map((m) => ({ source: m.source, destination: m.destination, is_key: m.isKey })),
    sync_mode: s.syncMode,
    schedule: s.schedule,
    enabled: s.enabled,
    watermark_column: s.watermarkColumn,
    watermark: s.watermark,
    status: s.status,
    last_run_id: s.lastRunId,
    last_run_status: s.lastRunStatus,
    last_run_at: iso(s.lastRunAt),
    next_run_at: iso(s.nextRunAt),
    created_by: s.createdBy,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  });
}

export function runAttributes(r: Run) {
  return {
    sync_id: r.syncId,
    status: r.status,
    trigger: r.trigger,
    triggered_by: r.triggeredBy,
    full_resync: r.fullResync,
    replay_of: r.replayOf,
    created_at: iso(r.createdAt),
    started_at: iso(r.startedAt),
    finished_at: iso(r.finishedAt),
    duration_ms: r.startedAt && r.finishedAt ? new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime() : null,
    rows_read: r.rowsRead,
    rows_written: r.rowsWritten,
    rows_failed: r.rowsFailed,
    watermark_from: r.watermarkFrom,
    watermark_to: r.watermarkTo,
    attempt: r.attempt,
    error: r.error,
  };
}

export function runResource(r: Run) {
  return resource(r.id, 'reverse_etl_run', runAttributes(r));
}

/** One element of `POST /sync/run`: a queued run (every run attribute, reason null) or a skip (never stored). */
export function runRequestResource(r: RunRequestResult) {
  if ('queued' in r) {
    const { sync_id, status, ...rest } = runAttributes(r.queued);
    return resource(r.queued.id, 'reverse_etl_run', { sync_id, status, reason: null, ...rest });
  }
  return resource(null, 'reverse_etl_run', {
    sync_id: r.skipped.syncId,
    status: 'skipped',
    reason: r.skipped.reason,
    active_run_id: r.skipped.activeRunId,
  });
}

export function deadLetterResource(d: DeadLetter) {
  return resource(d.id, 'dlq_entry', {
    sync_id: d.syncId,
    run_id: d.runId,
    destination_id: d.destinationId,
    object_name: d.objectName,
    error_code: d.errorCode,
    error_message: d.errorMessage,
    failed_at: iso(d.failedAt),
    retry_count: d.retryCount,
    row_preview: d.rowPreview,
    status: d.status,
    resolved_at: iso(d.resolvedAt),
    resolution_reason: d.resolutionReason,
    resolution_note: d.resolutionNote,
    resolved_by: d.resolvedBy,
    replay_run_id: d.replayRunId,
    replay_of: d.replayOf,
  });
}

export function statsBody(s: DeadLetterStats) {
  return {
    data: {
      total_entries: s.totalEntries,
      open_entries: s.openEntries,
      resolved_entries: s.resolvedEntries,
      by_error_code: s.byErrorCode.map((c) => ({ error_code: c.errorCode, count: c.count, open: c.open })),
      by_sync: s.bySync.map((b) => ({ sync_id: b.syncId, name: b.name, count: b.count, open: b.open })),
      window: { since: iso(s.window.since), until: iso(s.window.until) },
    },
  };
}

export function resolveBody(r: ResolveResult) {
  return {
    data: {
      resolved: r.resolved,
      already_resolved: r.alreadyResolved,
      not_found: r.notFound,
      runs: r.runs.map((x) => ({ id: x.id, sync_id: x.syncId })),
    },
  };
}
