import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { StoreService } from '#store';
import { FailoverLimitStorage } from './failover-limit.storage.js';
import { type LimitStorage } from './limit-storage.js';
import { MemoryLimitStorage } from './memory-limit.storage.js';
import { RedisLimitStorage } from './redis-limit.storage.js';
import { StoreLimitStorage } from './store-limit.storage.js';
import { WRITE_BEHIND_MS, WriteBehindLimitStorage } from './write-behind-limit.storage.js';

/**
 * The counter storages of this instance, chosen by configuration: the store always (durable quotas, and every limit
 * when REDIS_URL is unset); Redis in front of it when REDIS_URL is set.
 */
@Injectable()
export class LimitStorages implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Limits');
  private flushTimer?: NodeJS.Timeout;
  /** The store's table of durable counters. */
  readonly store: StoreLimitStorage;
  /** Where durable policies (daily quotas) are counted: that table, or on the embedded store memory written to it behind. */
  readonly durable: StoreLimitStorage | WriteBehindLimitStorage;
  /** Short windows, when they are counted in the store. */
  readonly volatileStore: StoreLimitStorage;
  readonly redis?: RedisLimitStorage;
  /** Where non-durable limits are counted. */
  readonly routed: LimitStorage;

  constructor(@Inject(APP_CONFIG) config: AppConfig, store: StoreService) {
    this.store = new StoreLimitStorage(store);
    this.volatileStore = new StoreLimitStorage(store, true);
    this.durable = store.kind === 'embedded' ? new WriteBehindLimitStorage(this.store) : this.store;
    if (config.redisUrl) {
      this.redis = new RedisLimitStorage(config.redisUrl);
      this.routed = new FailoverLimitStorage(this.redis, this.volatileStore);
    } else if (store.kind === 'embedded') {
      // The embedded store belongs to exactly one process, so counting short windows in its memory is exact across
      // "every instance", and spares the single store connection a write per request. Durable windows stay in the store.
      this.routed = new MemoryLimitStorage();
    } else {
      this.routed = this.volatileStore;
    }
  }

  /** Waits for Redis before the first request, so that instances starting together count in the same place. */
  async onModuleInit(): Promise<void> {
    const durable = this.durable;
    if (durable instanceof WriteBehindLimitStorage) {
      this.flushTimer = setInterval(
        () => void durable.flush().catch((e: unknown) => this.logger.warn(`could not write counters: ${String(e)}`)),
        WRITE_BEHIND_MS,
      );
      this.flushTimer.unref();
    }
    if (this.redis && !(await this.redis.connect())) {
      this.logger.warn('Redis is not reachable at start: counting in the store until it is');
    }
  }

  /** The last counts reach the store before it closes (it closes in its own shutdown hook, after this one). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    if (this.durable instanceof WriteBehindLimitStorage) await this.durable.flush();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}
