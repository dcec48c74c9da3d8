import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { StoreService } from './store.service.js';

/** Rows past their retention, deleted by the Pruner a batch at a time. */
export interface PruneTask {
  /** What it deletes, as the logs name it (`refresh_tokens`). */
  name: string;
  /**
   * Deletes at most `limit` rows past retention and answers how many. Idempotent: two runs at once, or one run
   * again, delete each row once.
   */
  deleteBatch(limit: number): Promise<number>;
}

/**
 * A task of one delete statement `sql` (`$1` the cutoff, `$2` the batch size: `DELETE FROM t WHERE id IN (SELECT id
 * FROM t WHERE ... < $1 LIMIT $2)`), answering how many rows each batch took.
 */
export function batchDelete(store: StoreService, name: string, sql: string, cutoff: () => Date): PruneTask {
  return {
    name,
    async deleteBatch(limit: number): Promise<number> {
      const [row] = await store.query<{ n: number }>(`WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`, [cutoff(), limit]);
      return row.n;
    },
  };
}

/**
 * One instance a period claims the pass (the row `prune` of `maintenance_claims`): the first whose offer finds
 * `next_at` past moves it a period on; the others, under the row lock, then find it in the future and skip.
 */
export const CLAIM_PRUNE_SQL = `INSERT INTO maintenance_claims AS c (name, next_at, claimed_by, claimed_at)
VALUES ('prune', now() + make_interval(secs => $2::float8 / 1000), $1, now())
ON CONFLICT (name) DO UPDATE SET next_at = excluded.next_at, claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at
 WHERE c.next_at <= now()
RETURNING c.name
`;

/**
 * Deletes what is past retention (ended sessions, old run history, spent rate-limit counters), off the request
 * path: every instance offers every PRUNE_EVERY_SECONDS and the one that claims the period runs the pass. A pass
 * runs each task in batches of PRUNE_BATCH_SIZE rows (each its own statement, so no long lock), at most
 * `maxBatches` a task, and stops early when the instance stops. Each lib registers its tasks (`register`), naming
 * its own tables and retention: this knows none of them.
 */
@Injectable()
export class Pruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Pruner');
  private readonly tasks: PruneTask[] = [];
  private readonly instance = randomUUID();
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopping = false;

  constructor(
    private readonly store: StoreService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  register(...tasks: PruneTask[]): void {
    this.tasks.push(...tasks);
  }

  onApplicationBootstrap(): void {
    const every = this.config.prune.everyMs;
    if (every <= 0) return;
    this.timer = setInterval(() => void this.offer(), every);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs a pass if this instance claims the current period; undefined when another did (or one runs here). */
  async offer(): Promise<Record<string, number> | undefined> {
    if (this.running || this.stopping) return undefined;
    try {
      const claimed = await this.store.query(CLAIM_PRUNE_SQL, [this.instance, this.config.prune.everyMs]);
      if (claimed.length === 0) return undefined;
      return await this.runOnce();
    } catch (e) {
      this.logger.warn(`pruning failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /** One pass over every task, whoever claimed it: the rows each deleted. */
  async runOnce(): Promise<Record<string, number>> {
    const pass = this.pass();
    this.running = pass;
    try {
      return await pass;
    } finally {
      this.running = undefined;
    }
  }

  private async pass(): Promise<Record<string, number>> {
    const { batchSize, maxBatches } = this.config.prune;
    const deleted: Record<string, number> = {};
    for (const task of this.tasks) {
      deleted[task.name] = 0;
      for (let i = 0; i < maxBatches && !this.stopping; i++) {
        const n = await task.deleteBatch(batchSize);
        deleted[task.name] += n;
        if (n < batchSize) break;
      }
    }
    const done = Object.entries(deleted).filter(([, n]) => n > 0);
    if (done.length) this.logger.log(`pruned ${done.map(([name, n]) => `${n} ${name}`).join(', ')}`);
    return deleted;
  }
}
