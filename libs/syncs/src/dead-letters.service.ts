import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { StoreService } from '#store';
import { decodeCursor, toPage, type Page, type PageRequest } from './cursor.js';
import { isId } from './ids.js';
import { RunsService } from './runs.service.js';
import { preview } from './values.js';

export interface DeadLetter {
  id: string;
  syncId: string;
  runId: string;
  destinationId: string;
  objectName: string;
  errorCode: string;
  errorMessage: string;
  failedAt: Date;
  retryCount: number;
  rowPreview: Record<string, unknown>;
  status: 'open' | 'resolved';
  resolvedAt: Date | null;
  resolutionReason: string | null;
  resolutionNote: string | null;
  resolvedBy: string | null;
  replayRunId: string | null;
  replayOf: string | null;
}

interface Row {
  id: string;
  sync_id: string;
  run_id: string;
  destination_id: string;
  object_name: string;
  error_code: string;
  error_message: string;
  failed_at: Date;
  retry_count: number;
  row_data: Record<string, unknown>;
  status: 'open' | 'resolved';
  resolved_at: Date | null;
  resolution_reason: string | null;
  resolution_note: string | null;
  resolved_by: string | null;
  replay_run_id: string | null;
  replay_of: string | null;
}

const COLUMNS = `id, sync_id, run_id, destination_id, object_name, error_code, error_message, failed_at, retry_count, row_data, status,
       resolved_at, resolution_reason, resolution_note, resolved_by, replay_run_id, replay_of`;

function toDeadLetter(r: Row): DeadLetter {
  return {
    id: r.id,
    syncId: r.sync_id,
    runId: r.run_id,
    destinationId: r.destination_id,
    objectName: r.object_name,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    failedAt: r.failed_at,
    retryCount: r.retry_count,
    rowPreview: preview(r.row_data),
    status: r.status,
    resolvedAt: r.resolved_at,
    resolutionReason: r.resolution_reason,
    resolutionNote: r.resolution_note,
    resolvedBy: r.resolved_by,
    replayRunId: r.replay_run_id,
    replayOf: r.replay_of,
  };
}

export interface DeadLetterFilters {
  syncId?: string;
  runId?: string;
  errorCode?: string;
  includeResolved: boolean;
}

export interface DeadLetterStats {
  totalEntries: number;
  openEntries: number;
  resolvedEntries: number;
  byErrorCode: { errorCode: string; count: number; open: number }[];
  bySync: { syncId: string; name: string; count: number; open: number }[];
  window: { since: Date | null; until: Date };
}

export interface ResolveResult {
  resolved: string[];
  alreadyResolved: string[];
  notFound: string[];
  runs: { id: string; syncId: string }[];
}

/** The dead-letter queue (docs/reverse-etl.md): rows that failed, with their error, resolved with a reason, replayed. */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly store: StoreService,
    private readonly runs: RunsService,
  ) {}

  async list(p: Principal, filters: DeadLetterFilters, page: PageRequest): Promise<Page<DeadLetter>> {
    const f = {
      sync_id: filters.syncId ?? null,
      run_id: filters.runId ?? null,
      error_code: filters.errorCode ?? null,
      include_resolved: filters.includeResolved,
    };
    const before = page.after === undefined ? '~' : decodeCursor('dlq', f, page.after);
    const rows = await this.store.query<Row>(
      `SELECT ${COLUMNS} FROM retl_dead_letters
        WHERE account_id = $1 AND id < $2 AND ($3::text IS NULL OR sync_id = $3) AND ($4::text IS NULL OR run_id = $4)
          AND ($5::text IS NULL OR error_code = $5) AND ($6 OR status = 'open')
        ORDER BY id DESC LIMIT $7`,
      [p.accountId, before, f.sync_id, f.run_id, f.error_code, f.include_resolved, page.limit + 1],
    );
    return toPage('dlq', f, rows.map(toDeadLetter), page.limit, (d) => d.id);
  }

  async get(p: Principal, id: string): Promise<DeadLetter> {
    if (!isId('dlq', id)) throw DomainError.notFound('dead_letter', 'no such dead-letter entry');
    const [row] = await this.store.query<Row>(`SELECT ${COLUMNS} FROM retl_dead_letters WHERE account_id = $1 AND id = $2`, [
      p.accountId,
      id,
    ]);
    if (!row) throw DomainError.notFound('dead_letter', 'no such dead-letter entry');
    return toDeadLetter(row);
  }

  /** Counts on `failed_at` in [since, until), for one sync or the whole account. */
  async stats(p: Principal, filters: { syncId?: string; since?: Date; until?: Date }): Promise<DeadLetterStats> {
    const until = filters.until ?? new Date();
    const params = [p.accountId, filters.syncId ?? null, filters.since ?? null, until];
    const where = `d.account_id = $1 AND ($2::text IS NULL OR d.sync_id = $2) AND ($3::timestamptz IS NULL OR d.failed_at >= $3) AND d.failed_at < $4`;
    const byCode = await this.store.query<{ error_code: string; count: number; open: number }>(
      `SELECT d.error_code, count(*)::int AS count, (count(*) FILTER (WHERE d.status = 'open'))::int AS open
         FROM retl_dead_letters d WHERE ${where} GROUP BY d.error_code ORDER BY count(*) DESC, d.error_code`,
      params,
    );
    const bySync = await this.store.query<{ sync_id: string; name: string; count: number; open: number }>(
      `SELECT d.sync_id, s.name, count(*)::int AS count, (count(*) FILTER (WHERE d.status = 'open'))::int AS open
         FROM retl_dead_letters d JOIN retl_syncs s ON s.id = d.sync_id WHERE ${where} GROUP BY d.sync_id, s.name ORDER BY count(*) DESC, d.sync_id`,
      params,
    );
    const total = byCode.reduce((n, c) => n + c.count, 0);
    const open = byCode.reduce((n, c) => n + c.open, 0);
    return {
      totalEntries: total,
      openEntries: open,
      resolvedEntries: total - open,
      byErrorCode: byCode.map((c) => ({ errorCode: c.error_code, count: c.count, open: c.open })),
      bySync: bySync.map((s) => ({ syncId: s.sync_id, name: s.name, count: s.count, open: s.open })),
      window: { since: filters.since ?? null, until },
    };
  }

  /**
   * One transaction resolves every named open entry; with `replay`, their stored rows (as first sent) are queued in
   * one new run per sync (trigger `replay`, even if the sync is disabled; it waits for a running run of its sync).
   * Foreign and unknown ids land in `notFound`, untouched.
   */
  async resolve(p: Principal, input: { ids: string[]; reason: string; note: string | null; replay: boolean }): Promise<ResolveResult> {
    const ids = [...new Set(input.ids)];
    const result = await this.store.transaction(async (tx) => {
      const rows = await this.store.query<{
        id: string;
        sync_id: string;
        status: 'open' | 'resolved';
        row_data: Record<string, unknown>;
        retry_count: number;
        deleted: boolean;
      }>(
        `SELECT d.id, d.sync_id, d.status, d.row_data, d.retry_count, s.deleted_at IS NOT NULL AS deleted
           FROM retl_dead_letters d JOIN retl_syncs s ON s.id = d.sync_id
          WHERE d.account_id = $1 AND d.id = ANY($2::text[]) ORDER BY d.id FOR UPDATE OF d`,
        [p.accountId, ids.filter((id) => isId('dlq', id))],
        tx,
      );
      const found = new Map(rows.map((r) => [r.id, r]));
      const open = rows.filter((r) => r.status === 'open');
      const result: ResolveResult = {
        resolved: open.map((r) => r.id),
        alreadyResolved: rows.filter((r) => r.status === 'resolved').map((r) => r.id),
        notFound: ids.filter((id) => !found.has(id)),
        runs: [],
      };
      if (!open.length) return result;
      const replayRunOf = new Map<string, string>();
      if (input.replay) {
        const bySync = new Map<string, typeof open>();
        for (const r of open.filter((o) => !o.deleted)) bySync.set(r.sync_id, [...(bySync.get(r.sync_id) ?? []), r]);
        for (const [syncId, entries] of bySync) {
          const run = await this.runs.queue(tx, {
            accountId: p.accountId,
            syncId,
            trigger: 'replay',
            triggeredBy: p.username,
            fullResync: false,
            replayOf: entries.map((e) => e.id),
            staged: true,
            rowsRead: entries.length,
          });
          await this.store.query(
            `INSERT INTO retl_run_items (run_id, seq, payload, replay_of, retry_count)
             SELECT $1, x.seq, x.payload, x.replay_of, x.retry_count
               FROM jsonb_to_recordset($2::jsonb) AS x(seq int, payload jsonb, replay_of text, retry_count int)`,
            [
              run.id,
              JSON.stringify(entries.map((e, i) => ({ seq: i + 1, payload: e.row_data, replay_of: e.id, retry_count: e.retry_count + 1 }))),
            ],
            tx,
          );
          for (const e of entries) replayRunOf.set(e.id, run.id);
          result.runs.push({ id: run.id, syncId });
        }
      }
      await this.store.query(
        `UPDATE retl_dead_letters d SET status = 'resolved', resolved_at = clock_timestamp(), resolution_reason = $2, resolution_note = $3,
                resolved_by = $4, replay_run_id = x.run_id
           FROM jsonb_to_recordset($5::jsonb) AS x(id text, run_id text)
          WHERE d.account_id = $1 AND d.id = x.id AND d.status = 'open'`,
        [
          p.accountId,
          input.reason,
          input.note,
          p.username,
          JSON.stringify(open.map((o) => ({ id: o.id, run_id: replayRunOf.get(o.id) ?? null }))),
        ],
        tx,
      );
      return result;
    });
    if (result.runs.length) this.runs.queued();
    return result;
  }
}
