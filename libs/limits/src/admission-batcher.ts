import { type RawAdmission, type WindowInput, type WindowResult } from './windows.js';

type AdmitNow = (key: string, windows: WindowInput[], now: number, cost: number) => Promise<RawAdmission>;

interface Waiter {
  windows: WindowInput[];
  now: number;
  resolve(admission: RawAdmission): void;
  reject(error: unknown): void;
}

/**
 * Group admission for a storage with a round trip (the store on PostgreSQL): while one admission of a key is in
 * flight, the next requests of that key wait, and one statement then admits them all (cost n), each answered with
 * its own remaining count. A busy account pays one round trip per batch instead of one per request, and the count
 * stays exact across instances (each batch is one atomic admission). A batch that does not fit whole is admitted one
 * by one up to the first refusal, which answers the rest (a refused request is not counted). A failure fails the
 * batch and everything queued behind it at once: during an outage nothing waits on a chain of failing trips.
 */
export class AdmissionBatcher {
  private readonly queues = new Map<string, Waiter[]>();

  constructor(private readonly admitNow: AdmitNow) {}

  admit(key: string, windows: WindowInput[], now: number, cost = 1): Promise<RawAdmission> {
    if (cost !== 1) return this.admitNow(key, windows, now, cost);
    const queue = this.queues.get(key);
    if (queue) return new Promise((resolve, reject) => queue.push({ windows, now, resolve, reject }));
    this.queues.set(key, []);
    const first = this.admitNow(key, windows, now, 1);
    first.then(
      () => this.next(key),
      (e: unknown) => this.failQueued(key, e),
    );
    return first;
  }

  /** Requests waiting behind an admission in flight, over every key (read by its spec: nothing is left waiting). */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private next(key: string): void {
    const batch = this.queues.get(key);
    if (!batch) return;
    if (batch.length === 0) {
      this.queues.delete(key);
      return;
    }
    this.queues.set(key, []);
    this.admitBatch(key, batch).then(
      () => this.next(key),
      (e: unknown) => this.failQueued(key, e),
    );
  }

  private async admitBatch(key: string, batch: Waiter[]): Promise<void> {
    try {
      const latest = batch[batch.length - 1];
      const all = await this.admitNow(key, latest.windows, latest.now, batch.length);
      if (all.admitted) {
        // in arrival order: the first admitted saw the most room left
        batch.forEach((w, i) => w.resolve(withMoreRemaining(all, batch.length - 1 - i)));
        return;
      }
      for (let i = 0; i < batch.length; i++) {
        const one = await this.admitNow(key, batch[i].windows, batch[i].now, 1);
        batch[i].resolve(one);
        if (!one.admitted) {
          for (const w of batch.slice(i + 1)) w.resolve(one);
          return;
        }
      }
    } catch (e) {
      for (const w of batch) w.reject(e); // no effect on those already answered
      throw e;
    }
  }

  private failQueued(key: string, error: unknown): void {
    const queued = this.queues.get(key) ?? [];
    this.queues.delete(key);
    for (const w of queued) w.reject(error);
  }
}

function withMoreRemaining(admission: RawAdmission, n: number): RawAdmission {
  if (n === 0) return admission;
  return {
    admitted: true,
    results: admission.results.map(([remaining, resetAt, retryAt]): WindowResult => [remaining + n, resetAt, retryAt]),
  };
}
