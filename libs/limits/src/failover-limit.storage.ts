import { Logger } from '@nestjs/common';
import { LimitStorage } from './limit-storage.js';
import { type RawAdmission, type WindowInput } from './windows.js';

/** After a Redis failure, how long to count in the store before trying Redis again. */
const RETRY_PRIMARY_MS = 1000;

/**
 * Redis first; when it fails or is slow, the store, at once and for the next second, so that no request fails
 * because Redis is away. Counts kept in one while the other served are not merged (a short over-admission at most
 * the limit once per switch), which the operator sees in the logs.
 */
export class FailoverLimitStorage extends LimitStorage {
  readonly name = 'redis' as const;
  private readonly logger = new Logger('Limits');
  private primaryDownUntil = 0;

  constructor(
    private readonly primary: LimitStorage,
    private readonly fallback: LimitStorage,
  ) {
    super();
  }

  /** Which storage answered the last admission: for metrics and tests. */
  serving: 'redis' | 'store' = 'redis';

  async admit(key: string, windows: WindowInput[], now: number, cost = 1): Promise<RawAdmission> {
    if (Date.now() >= this.primaryDownUntil) {
      try {
        const admission = await this.primary.admit(key, windows, now, cost);
        this.serving = 'redis';
        return admission;
      } catch (e) {
        if (this.primaryDownUntil === 0 || Date.now() - this.primaryDownUntil > RETRY_PRIMARY_MS) {
          this.logger.warn(`Redis limiter storage failed (${e instanceof Error ? e.message : String(e)}): counting in the store`);
        }
        this.primaryDownUntil = Date.now() + RETRY_PRIMARY_MS;
      }
    }
    this.serving = 'store';
    return this.fallback.admit(key, windows, now, cost);
  }
}
