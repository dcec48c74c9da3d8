import { type ThrottlerStorage } from '@nestjs/throttler';
import { type ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface.js';
import { type RawAdmission, type WindowInput } from './windows.js';

/**
 * Where counters live. `admit` is atomic: every window is checked and, only if all have room, counted. Each storage
 * is also a @nestjs/throttler storage (a single sliding window per `increment`), so Nest's own throttler can use it.
 */
export abstract class LimitStorage implements ThrottlerStorage {
  abstract readonly name: 'memory' | 'store' | 'redis';

  abstract admit(key: string, windows: WindowInput[], now: number, cost?: number): Promise<RawAdmission>;

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    const { admitted, results } = await this.admit(`throttler:${throttlerName}:${key}`, [{ k: 's', l: limit, w: ttl }], now);
    const [remaining, resetAt, retryAt] = results[0];
    return {
      totalHits: admitted ? limit - remaining : limit + 1,
      timeToExpire: Math.max(0, Math.ceil((resetAt - now) / 1000)),
      isBlocked: !admitted,
      timeToBlockExpire: Math.max(0, Math.ceil((retryAt - now) / 1000)),
    };
  }
}
