import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { decodeCursor, toPage, type Page, type PageRequest } from './cursor.js';
import { isId, newId } from './ids.js';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunTrigger = 'api' | 'schedule' | 'replay';

export interface Run {
  id: string;
  syncId: string;
  status: RunStatus;
  trigger: RunTrigger;
  triggeredBy: string | null;
  fullResync: boolean;
  replayOf: string[] | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  rowsRead: number;
  rowsWritten: number;
  rowsFailed: number;
  watermarkFrom: string | null;
  watermarkTo: string | null;
  attempt: number;
  error: { code: string; message: string } | null;
}

export interface RunRow {
  id: string;
  account_id: string;
  sync_id: string;
  status: RunStatus;
  trigger: RunTrigger;
  triggered_by: string | null;
  full_resync: boolean;
  replay_of: string[] | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  rows_read: number;
  rows_written: number;
  rows_failed: number;
  watermark_from: string | null;
  watermark_to: string | null;
  attempt: number;
  error: { code: string; message: string } | null;
}

export const RUN_COLUMNS = `id, account_id, sync_id, status, trigger, triggered_by, full_resync, replay_of, created_at, started_at, finished_at,
       rows_read, rows_written, rows_failed, watermark_from, watermark_to, attempt, error`;

export function toRun(r: RunRow): Run {
  return {
    id: r.id,
    syncId: r.sync_id,
    status: r.status,
    trigger: r.trigger,
    triggeredBy: r.triggered_by,
    fullResync: r.full_resync,
    replayOf: r.replay_of,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    rowsRead: r.rows_read,
    rowsWritten: r.rows_written,
    rowsFailed: r.rows_failed,
    watermarkFrom: r.watermark_from,
    watermarkTo: r.watermark_to,
    attempt: r.attempt,
    error: r.error,
  };
}

function notFound(): DomainError {
  return DomainError.notFound('run', 'no such run');
}

export interface RunFilters {
  syncId?: string;
  status?: RunStatus;
  since?: Date;
  until?: Date;
}

/** Runs of an account (docs/reverse-etl.md): durable rows, newest first, readable after their sync is deleted. */
@Injectable()
export class RunsService {
  /** Told when this instance queues a run, so that it starts within a second (the engine listens). */
  onQueued?: () => void;

  constructor(private readonly store: StoreService) {}

  /** After the transaction that queued runs has committed: this instance starts them now, not at its next poll. */
  queued(): void {
    setImmediate(() => this.onQueued?.());
  }

  async queue(
    tx: Tx,
    r: {
      accountId: string;
      syncId: string;
      trigger: RunTrigger;
      triggeredBy: string | null;
      fullResync: boolean;
      replayOf?: string[];
      staged?: boolean;
      rowsRead?: number;
    },
  ): Promise<Run> {
    const [row] = await this.store.query<RunRow>(
      `INSERT INTO retl_runs (id, account_id, sync_id, status, trigger, triggered_by, full_resync, replay_of, staged, rows_read)
       VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9) RETURNING ${RUN_COLUMNS}`,
      [
        newId('run'),
        r.accountId,
        r.syncId,
        r.trigger,
        r.triggeredBy,
        r.fullResync,
        r.replayOf ? JSON.stringify(r.replayOf) : null,
        r.staged ?? false,
        r.rowsRead ?? 0,
      ],
      tx,
    );
    return toRun(row);
  }

  /** The queued or running run of a sync, if any (replays excepted: they wait behind it). */
  async activeRunOf(syncId: string, tx?: Tx): Promise<string | undefined> {
    const [row] = await this.store.query<{ id: string }>(
      `SELECT id FROM retl_runs WHERE sync_id = $1 AND status IN ('queued', 'running') AND trigger <> 'replay' ORDER BY id LIMIT 1`,
      [syncId],
      tx,
    );
    return row?.id;
  }

  /** A deleted sync: queued runs canceled at once (their items with them), a running one after its batch. */
  async cancelAllOf(syncId: string, tx: Tx): Promise<void> {
    await this.store.query(
      `UPDATE retl_runs SET status = 'canceled', finished_at = clock_timestamp(), error = '{"code":"canceled","message":"the sync was deleted"}'::jsonb
        WHERE sync_id = $1 AND status = 'queued'`,
      [syncId],
      tx,
    );
    await this.store.query(
      `DELETE FROM retl_run_items i USING retl_runs r WHERE r.id = i.run_id AND r.sync_id = $1 AND r.status = 'canceled'`,
      [syncId],
      tx,
    );
    await this.store.query(`UPDATE retl_runs SET cancel_requested = true WHERE sync_id = $1 AND status = 'running'`, [syncId], tx);
  }

  async list(p: Principal, filters: RunFilters, page: PageRequest): Promise<Page<Run>> {
    const f = {
      sync_id: filters.syncId ?? null,
      status: filters.status ?? null,
      since: filters.since?.toISOString() ?? null,
      until: filters.until?.toISOString() ?? null,
    };
    const before = page.after === undefined ? '~' : decodeCursor('runs', f, page.after);
    const rows = await this.store.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM retl_runs
        WHERE account_id = $1 AND id < $2 AND ($3::text IS NULL OR sync_id = $3) AND ($4::text IS NULL OR status = $4)
          AND ($5::timestamptz IS NULL OR created_at >= $5) AND ($6::timestamptz IS NULL OR created_at < $6)
        ORDER BY id DESC LIMIT $7`,
      [p.accountId, before, f.sync_id, f.status, f.since, f.until, page.limit + 1],
    );
    return toPage('runs', f, rows.map(toRun), page.limit, (r) => r.id);
  }

  async get(p: Principal, id: string): Promise<Run> {
    if (!isId('run', id)) throw notFound();
    const [row] = await this.store.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM retl_runs WHERE account_id = $1 AND id = $2`, [
      p.accountId,
      id,
    ]);
    if (!row) throw notFound();
    return toRun(row);
  }

  /** DELETE /runs/{id}: queued → canceled at once; running → after its batch; finished → 409 `run_finished`. */
  async cancel(p: Principal, id: string): Promise<Run> {
    if (!isId('run', id)) throw notFound();
    await this.store.transaction(async (tx) => {
      const [row] = await this.store.query<{ status: RunStatus; trigger: RunTrigger }>(
        `SELECT status, trigger FROM retl_runs WHERE account_id = $1 AND id = $2 FOR UPDATE`,
        [p.accountId, id],
        tx,
      );
      if (!row) throw notFound();
      if (row.status === 'queued') {
        // A queued replay's rows go back to the dead-letter queue as new open entries: nothing is lost.
        if (row.trigger === 'replay') await reopenReplayItems(this.store, tx, id, 'replay_canceled', 'the replay run was canceled');
        await this.store.query(
          `UPDATE retl_runs SET status = 'canceled', finished_at = clock_timestamp(), error = $2 WHERE id = $1`,
          [id, JSON.stringify({ code: 'canceled', message: `canceled by ${p.username}` })],
          tx,
        );
        await this.store.query(`DELETE FROM retl_run_items WHERE run_id = $1`, [id], tx);
      } else if (row.status === 'running') {
        await this.store.query(`UPDATE retl_runs SET cancel_requested = true WHERE id = $1`, [id], tx);
      } else {
        throw new DomainError('CONFLICT', `the run has already ${row.status}`, {
          entity: 'run',
          fields: [{ field: 'id', issue: 'finished', type: 'run_finished' }],
        });
      }
    });
    return this.get(p, id);
  }
}

/** The rows of a replay run not yet delivered become open dead letters again (retry count carried). */
export async function reopenReplayItems(store: StoreService, tx: Tx, runId: string, code: string, message: string): Promise<number> {
  const items = await store.query<{
    payload: Record<string, unknown>;
    retry_count: number;
    replay_of: string | null;
    destination_id: string | null;
    object_name: string;
  }>(
    `SELECT i.payload, i.retry_count, i.replay_of, s.destination_id, s.object_name
       FROM retl_run_items i JOIN retl_runs r ON r.id = i.run_id JOIN retl_syncs s ON s.id = r.sync_id
      WHERE i.run_id = $1 AND i.status <> 'done' ORDER BY i.seq`,
    [runId],
    tx,
  );
  if (!items.length) return 0;
  const [run] = await store.query<{ account_id: string; sync_id: string }>(
    `SELECT account_id, sync_id FROM retl_runs WHERE id = $1`,
    [runId],
    tx,
  );
  await insertDeadLetters(store, tx, {
    accountId: run.account_id,
    syncId: run.sync_id,
    runId,
    destinationId: items[0].destination_id ?? '',
    objectName: items[0].object_name,
    entries: items.map((i) => ({ code, message, retryCount: i.retry_count, row: i.payload, replayOf: i.replay_of })),
  });
  await store.query(`UPDATE retl_run_items SET status = 'done' WHERE run_id = $1 AND status <> 'done'`, [runId], tx);
  await store.query(`UPDATE retl_runs SET rows_failed = rows_failed + $2 WHERE id = $1`, [runId, items.length], tx);
  return items.length;
}

export interface DeadLetterInput {
  code: string;
  message: string;
  retryCount: number;
  row: Record<string, unknown>;
  replayOf: string | null;
}

/** Dead letters of one run in one statement (the full row ≤ 64 KiB kept for replay). */
export async function insertDeadLetters(
  store: StoreService,
  tx: Tx,
  d: { accountId: string; syncId: string; runId: string; destinationId: string; objectName: string; entries: DeadLetterInput[] },
): Promise<void> {
  if (!d.entries.length) return;
  const rows = d.entries.map((e) => {
    const json = JSON.stringify(e.row);
    return {
      id: newId('dlq'),
      code: e.code.slice(0, 64),
      message: e.message.slice(0, 1000),
      retry_count: e.retryCount,
      row_data: json.length > 65_536 ? { _truncated: true, preview: json.slice(0, 60_000) } : e.row,
      replay_of: e.replayOf,
    };
  });
  await store.query(
    `INSERT INTO retl_dead_letters (id, account_id, sync_id, run_id, destination_id, object_name, error_code, error_message, retry_count, row_data, replay_of)
     SELECT x.id, $2, $3, $4, $5, $6, x.code, x.message, x.retry_count, x.row_data, x.replay_of
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, code text, message text, retry_count int, row_data jsonb, replay_of text)`,
    [JSON.stringify(rows), d.accountId, d.syncId, d.runId, d.destinationId, d.objectName],
    tx,
  );
}
