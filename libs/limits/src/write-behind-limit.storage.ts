import { LimitStorage } from './limit-storage.js';
import { type StoreLimitStorage } from './store-limit.storage.js';
import { evaluate, expiresAt, type RawAdmission, type WindowInput, type WindowState } from './windows.js';

/** How far behind the requests the counters are written at most. */
export const WRITE_BEHIND_MS = 1000;

interface Held {
  state: WindowState[];
  expires: number;
}

/**
 * Durable counters of the embedded store. Its one process owns the store, so counting in this process's memory is
 * exact; the counters go to limit_counters behind the requests (every WRITE_BEHIND_MS, and at shutdown) and are
 * read back from there the first time a key is seen after a start. A request pays no store write: on PGlite that
 * write (limit_eval over three windows, in WebAssembly on the gateway's own thread) was the most of a durable
 * policy's cost over a bare route. What a crash (kill -9) can forget: the last second of counts.
 */
export class WriteBehindLimitStorage extends LimitStorage {
  readonly name = 'store' as const;
  private readonly held = new Map<string, Held>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: StoreLimitStorage) {
    super();
  }

  async admit(key: string, windows: WindowInput[], now: number, cost = 1): Promise<RawAdmission> {
    await this.load(key, now);
    // read after the await: requests that waited on the same first read continue one after another
    const held = this.held.get(key);
    const { state, admission } = evaluate(held && held.expires > now ? held.state : [], windows, now, cost);
    this.held.set(key, { state, expires: expiresAt(windows, now) });
    this.dirty.add(key);
    return admission;
  }

  /** The counter's windows as they stand (no counting), as StoreLimitStorage.read answers. */
  async read(key: string, now: number): Promise<WindowState[]> {
    await this.load(key, now);
    const held = this.held.get(key);
    return held && held.expires > now ? held.state : [];
  }

  /** Writes the counters changed since the last flush; on failure they stay to be written next time. */
  flush(): Promise<void> {
    // one flush at a time: a later one must not overtake an earlier one with older states
    // (an earlier flush's failure is its caller's: this one starts afresh)
    this.flushing = this.flushing
      .catch(() => undefined)
      .then(async () => {
        if (!this.dirty.size) return;
        const keys = [...this.dirty];
        this.dirty.clear();
        try {
          await this.store.write(keys.map((key) => ({ key, ...this.held.get(key)! })));
        } catch (e) {
          for (const key of keys) this.dirty.add(key);
          throw e;
        }
      });
    return this.flushing;
  }

  /** Forgets counters whose windows have all ended (written already); the store's go on the Pruner's schedule. */
  forgetEnded(now = Date.now()): void {
    for (const [key, held] of this.held) if (held.expires <= now && !this.dirty.has(key)) this.held.delete(key);
  }

  /** Reads the counter from the store once per key and start; concurrent first requests share one read. */
  private async load(key: string, now: number): Promise<void> {
    if (this.held.has(key)) return;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.store
        .readHeld(key, now)
        .then((stored) => {
          if (stored && !this.held.has(key)) this.held.set(key, stored);
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    await pending;
  }
}
