import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { StoreService } from '#store';
import { FailoverLimitStorage } from './failover-limit.storage.js';
import { type LimitStorage } from './limit-storage.js';
import { MemoryLimitStorage } from './memory-limit.storage.js';
import { RedisLimitStorage } from './redis-limit.storage.js';
import { StoreLimitStorage } from './store-limit.storage.js';

/**
 * The counter storages of this instance, chosen by configuration: the store always (durable quotas, and every limit
 * when REDIS_URL is unset); Redis in front of it when REDIS_URL is set.
 */
@Injectable()
export class LimitStorages implements OnModuleInit, OnApplicationShutdown {
  /** Durable counters (daily quotas). */
  readonly store: StoreLimitStorage;
  /** Short windows, when they are counted in the store. */
  readonly volatileStore: StoreLimitStorage;
  readonly redis?: RedisLimitStorage;
  /** Where non-durable limits are counted. */
  readonly routed: LimitStorage;

  constructor(@Inject(APP_CONFIG) config: AppConfig, store: StoreService) {
    this.store = new StoreLimitStorage(store);
    this.volatileStore = new StoreLimitStorage(store, true);
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
    if (this.redis && !(await this.redis.connect())) {
      new Logger('Limits').warn('Redis is not reachable at start: counting in the store until it is');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}
