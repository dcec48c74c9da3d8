import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { SettingsRegistry } from '#identity';
import { StoreService } from '#store';
import { DestinationsService } from './destinations.service.js';
import { RunExecution, type ClaimedRun } from './run-execution.js';
import { RunsService } from './runs.service.js';
import { nextOccurrence, type Schedule } from './schedule.js';
import { SourceSandbox } from './source-sandbox.service.js';
import { CLAIM_RUN_SQL, DUE_SYNCS_SQL } from './syncs.queries.js';

/** How long app.close() lets runs finish their batch before sending is aborted. */
const STOP_GRACE_MS = 3_000;
const STOP_MAX_MS = 15_000;

export interface EngineStatus {
  sqlSources: 'enabled' | 'disabled';
  reason: string | null;
  workers: number;
  queued: number;
  running: number;
}

/**
 * The run engine (docs/reverse-etl.md): RETL_WORKERS runs at a time on this instance, claimed with a lease and a
 * heartbeat; a scan every 15 s (and at start) queues due cron runs and claims runs whose lease expired (old history
 * goes on the Pruner's schedule: history-pruning.ts). Timers are unref'd; app.close() stops claiming, lets running batches finish briefly, then aborts sends and
 * hands each run back to the queue, so that nothing stays claimed by a closed instance.
 */
@Injectable()
export class RunEngine implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReverseEtl');
  readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly active = new Map<string, { execution: RunExecution; done: Promise<void> }>();
  private pollTimer?: NodeJS.Timeout;
  private scanTimer?: NodeJS.Timeout;
  private stopping = false;
  private ticking = false;
  private tickAgain = false;
  private scanning?: Promise<void>;

  constructor(
    private readonly store: StoreService,
    private readonly runs: RunsService,
    private readonly destinations: DestinationsService,
    private readonly sandbox: SourceSandbox,
    private readonly settings: SettingsRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get workers(): number {
    return this.config.retl.workers;
  }

  onApplicationBootstrap(): void {
    this.runs.onQueued = () => this.nudge();
    this.scanTimer = setInterval(() => void this.scanOnce(), this.config.retl.scanMs);
    this.scanTimer.unref();
    if (this.workers > 0) {
      this.pollTimer = setInterval(() => void this.tick(), this.config.retl.pollMs);
      this.pollTimer.unref();
    }
    setImmediate(() => void this.scanOnce());
  }

  /** One scan at a time; app.close() waits for the one in flight. */
  private scanOnce(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.scanning ??= this.scan().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.runs.onQueued = undefined;
    clearInterval(this.pollTimer);
    clearInterval(this.scanTimer);
    for (const { execution } of this.active.values()) execution.stop();
    const all = () => Promise.all([...this.active.values()].map((a) => a.done));
    if (!(await within(all(), STOP_GRACE_MS))) {
      for (const { execution } of this.active.values()) execution.abort();
      await within(all(), STOP_MAX_MS);
    }
    await this.scanning;
    while (this.ticking) await new Promise((r) => setTimeout(r, 10));
  }

  async status(): Promise<EngineStatus> {
    const [counts] = await this.store.query<{ queued: number; running: number }>(
      `SELECT (count(*) FILTER (WHERE status = 'queued'))::int AS queued, (count(*) FILTER (WHERE status = 'running'))::int AS running
         FROM retl_runs WHERE status IN ('queued', 'running')`,
    );
    const s = this.sandbox.status();
    return { sqlSources: s.sqlSources, reason: s.reason, workers: this.workers, queued: counts.queued, running: counts.running };
  }

  /** A run was queued here: start it now rather than at the next poll. */
  nudge(): void {
    if (!this.stopping && this.workers > 0) void this.tick();
  }

  /** Claims runs while a worker is free. */
  async tick(): Promise<void> {
    if (this.stopping || this.workers === 0) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.tickAgain = false;
        while (!this.stopping && this.active.size < this.workers) {
          const claimed = await this.claim();
          if (!claimed) break;
          this.start(claimed);
        }
      } while (this.tickAgain && !this.stopping);
    } catch (e) {
      if (!this.stopping) this.logger.warn(`could not claim a run: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.ticking = false;
    }
  }

  private async claim(): Promise<ClaimedRun | undefined> {
    try {
      const [row] = await this.store.query<ClaimedRun>(CLAIM_RUN_SQL, [this.instanceId, this.config.retl.leaseMs]);
      return row;
    } catch (e) {
      // Another instance started a run of the same sync at the same moment (uq_retl_runs__sync_id): try later.
      if ((e as { code?: string }).code === 'CONFLICT') return undefined;
      throw e;
    }
  }

  private start(claimed: ClaimedRun): void {
    const execution = new RunExecution(
      claimed,
      this.instanceId,
      this.config.retl,
      this.store,
      this.destinations,
      this.sandbox,
      this.settings,
      this.logger,
    );
    const done = execution
      .execute()
      .catch((e: unknown) => this.logger.error(`run ${claimed.id} stopped: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`))
      .finally(() => {
        this.active.delete(claimed.id);
        if (!this.stopping) setImmediate(() => void this.tick());
      });
    this.active.set(claimed.id, { execution, done });
  }

  /** Every scanMs on every instance: due cron syncs, expired leases (through tick). */
  async scan(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.schedule();
      await this.tick();
    } catch (e) {
      if (!this.stopping) this.logger.warn(`reverse-ETL scan failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * For each due cron sync, one transaction moves next_run_at to the next occurrence after now (missed occurrences
   * collapse into one) only if no other instance moved it first, and queues a `schedule` run unless one is queued or
   * running.
   */
  async schedule(): Promise<number> {
    const due = await this.store.query<{ id: string; account_id: string; schedule: Schedule; next_run_at: Date }>(DUE_SYNCS_SQL);
    let queued = 0;
    for (const s of due) {
      if (this.stopping) break;
      let next: Date | null;
      try {
        next = nextOccurrence(s.schedule, new Date());
      } catch {
        next = null;
      }
      await this.store.transaction(async (tx) => {
        const [moved] = await this.store.query(
          // Still due under the row lock: an instance that moved it first leaves it in the future (re-checked on the
          // new row version), so each occurrence queues once whatever the timestamps' precision.
          `UPDATE retl_syncs SET next_run_at = $2 WHERE id = $1 AND next_run_at <= now() AND enabled AND deleted_at IS NULL RETURNING id`,
          [s.id, next],
          tx,
        );
        if (!moved || (await this.runs.activeRunOf(s.id, tx))) return;
        await this.runs.queue(tx, { accountId: s.account_id, syncId: s.id, trigger: 'schedule', triggeredBy: null, fullResync: false });
        queued++;
      });
    }
    if (queued) this.runs.queued();
    return queued;
  }
}

async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
