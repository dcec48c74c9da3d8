import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { batchDelete, Pruner, StoreService } from '#store';

/**
 * Run history goes RETL_HISTORY_RETENTION_DAYS after it ends (docs/reverse-etl.md): resolved dead letters from their
 * resolution, then finished runs (succeeded, failed, canceled; their items with them) from their end, but a run
 * while a dead letter of it is left (an open one is kept until it is resolved). Queued and running runs never go.
 */
@Injectable()
export class HistoryPruning implements OnModuleInit {
  constructor(
    private readonly store: StoreService,
    private readonly pruner: Pruner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const cutoff = () => new Date(Date.now() - this.config.prune.retlHistoryRetentionMs);
    this.pruner.register(
      batchDelete(
        this.store,
        'retl_dead_letters',
        `DELETE FROM retl_dead_letters WHERE id IN (
           SELECT id FROM retl_dead_letters WHERE status = 'resolved' AND resolved_at < $1 LIMIT $2)`,
        cutoff,
      ),
      batchDelete(
        this.store,
        'retl_runs',
        `DELETE FROM retl_runs WHERE id IN (
           SELECT r.id FROM retl_runs r
            WHERE r.status IN ('succeeded', 'failed', 'canceled') AND r.finished_at < $1
              AND NOT EXISTS (SELECT 1 FROM retl_dead_letters d WHERE d.run_id = r.id)
            LIMIT $2)`,
        cutoff,
      ),
    );
  }
}
