import { LimitStorage } from './limit-storage.js';
import { evaluate, expiresAt, type RawAdmission, type WindowInput, type WindowState } from './windows.js';

/** Counters in this process only: for unit tests (N instances would admit N times the limit). */
export class MemoryLimitStorage extends LimitStorage {
  readonly name = 'memory' as const;
  private readonly counters = new Map<string, { state: WindowState[]; expires: number }>();

  async admit(key: string, windows: WindowInput[], now: number, cost = 1): Promise<RawAdmission> {
    const held = this.counters.get(key);
    const { state, admission } = evaluate(held && held.expires > now ? held.state : [], windows, now, cost);
    this.counters.set(key, { state, expires: expiresAt(windows, now) });
    return admission;
  }
}
