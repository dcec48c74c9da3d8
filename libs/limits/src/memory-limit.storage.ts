import { LimitStorage } from './limit-storage.js';
import { evaluate, expiresAt, type RawAdmission, type WindowInput, type WindowState } from './windows.js';

const SWEEP_EVERY_MS = 60_000;

/**
 * Counters in this process. Exact only where there is one process: unit tests, and the short windows of the
 * embedded store (which one process owns). With several instances on PostgreSQL it would admit N times the limit,
 * so it is never used there.
 */
export class MemoryLimitStorage extends LimitStorage {
  readonly name = 'memory' as const;
  private readonly counters = new Map<string, { state: WindowState[]; expires: number }>();
  private sweptAt = 0;

  async admit(key: string, windows: WindowInput[], now: number, cost = 1): Promise<RawAdmission> {
    this.sweep(now);
    const held = this.counters.get(key);
    const { state, admission } = evaluate(held && held.expires > now ? held.state : [], windows, now, cost);
    this.counters.set(key, { state, expires: expiresAt(windows, now) });
    return admission;
  }

  /** Drops counters whose windows have all ended, once a minute at most. */
  private sweep(now: number): void {
    if (now - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = now;
    for (const [key, held] of this.counters) if (held.expires <= now) this.counters.delete(key);
  }
}
