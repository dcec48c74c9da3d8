import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectThrottlerStorage } from '@nestjs/throttler';
import { DomainError } from '#errors';
import { Pruner } from '#store';
import { LimitStorage } from './limit-storage.js';
import { windowLimit, windowSeconds, type LimitDecision, type LimitPolicy, type WindowStatus } from './limit-policy.js';
import { LimitStorages } from './limit-storages.js';
import { WriteBehindLimitStorage } from './write-behind-limit.storage.js';
import { evaluate, toWindowInput, type RawAdmission } from './windows.js';

/** A limiter answer that takes longer than this means the storage is in trouble: 503, never a hang. */
const ADMIT_TIMEOUT_MS = 2000;
/** How often this instance forgets the ended counters it holds in memory (write-behind, embedded store). */
const FORGET_EVERY_MS = 5 * 60_000;
/**
 * A timed-out admission means this instance is overloaded, not that its storage failed, when this many admissions
 * were waiting at once or the timer itself fired this late (the event loop was too busy to run it): the answer then
 * says so, and the operator adds capacity instead of looking at a healthy store.
 */
const OVERLOADED_IN_FLIGHT = 64;
const OVERLOADED_TIMER_LATE_MS = 500;

/**
 * The one limiter of every protocol. A protocol builds its policy (from its spec and the account's settings), names
 * the subject (`key:<id>`, `account:<id>`, `ip:<addr>`: never a route), and renders the decision in its own format.
 */
@Injectable()
export class Limiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Limits');
  private purgeTimer?: NodeJS.Timeout;
  /** Admissions waiting for their storage on this instance. */
  private inFlight = 0;
  /** Until when timeouts are put down to overload: the admissions of one burst time out one after another. */
  private overloadedUntil = 0;

  constructor(
    @InjectThrottlerStorage() private readonly storage: LimitStorage,
    private readonly storages: LimitStorages,
    private readonly pruner: Pruner,
  ) {
    this.durable = storages.durable;
  }

  private readonly durable: LimitStorages['durable'];

  /** Which storage counts non-durable policies: `store` or `redis`. */
  get storageName(): string {
    return this.storage.name;
  }

  onModuleInit(): void {
    // the store's ended counters: one instance a period, in batches (the Pruner of #store)
    this.pruner.register(
      { name: 'limit_counters', deleteBatch: (limit) => this.storages.store.purge(limit) },
      { name: 'limit_counters_volatile', deleteBatch: (limit) => this.storages.volatileStore.purge(limit) },
    );
    const durable = this.storages.durable;
    if (durable instanceof WriteBehindLimitStorage) {
      this.purgeTimer = setInterval(() => durable.forgetEnded(), FORGET_EVERY_MS);
      this.purgeTimer.unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /**
   * Admits one request of `subject` under `policy`: atomic across windows and instances; a refused request is not
   * counted. Throws UNAVAILABLE (Retry-After 5) when the storage cannot answer in time.
   */
  async admit(policy: LimitPolicy, subject: string, now = Date.now()): Promise<LimitDecision> {
    if (policy.windows.length === 0) throw new Error(`policy ${policy.name} has no window`);
    const inputs = policy.windows.map((w) => toWindowInput(w, now));
    const storage = policy.durable ? this.durable : this.storage;
    let timer: NodeJS.Timeout | undefined;
    const started = Date.now();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.timedOut(started)), ADMIT_TIMEOUT_MS);
    });
    let raw;
    this.inFlight++;
    try {
      raw = await Promise.race([storage.admit(`${policy.name}:${subject}`, inputs, now), timeout]);
    } catch (e) {
      if (e instanceof DomainError) throw e;
      this.logger.error(`limiter storage ${storage.name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      throw DomainError.unavailable('the rate limiter is unavailable', 5);
    } finally {
      clearTimeout(timer);
      this.inFlight--;
    }
    return this.decision(policy, raw.admitted, raw.results, now);
  }

  /** Why an admission took too long, in the words the client gets (503, Retry-After 5). */
  private timedOut(started: number): DomainError {
    const now = Date.now();
    const late = now - started - ADMIT_TIMEOUT_MS;
    if (this.inFlight >= OVERLOADED_IN_FLIGHT || late >= OVERLOADED_TIMER_LATE_MS || now < this.overloadedUntil) {
      this.overloadedUntil = now + ADMIT_TIMEOUT_MS;
      return DomainError.unavailable('the gateway is overloaded: try again shortly', 5);
    }
    return DomainError.unavailable(`the rate limiter's ${this.storage.name === 'redis' ? 'Redis' : 'store'} did not answer in time`, 5);
  }

  /**
   * What `admit` would see now, without counting: each window's status and, for calendar windows, how many requests
   * it has counted (`used`). Durable policies only (their counters are in the store).
   */
  async peek(policy: LimitPolicy, subject: string, now = Date.now()): Promise<LimitDecision & { used: (number | undefined)[] }> {
    if (!policy.durable) throw new Error(`policy ${policy.name} is not durable: peek reads the store only`);
    const inputs = policy.windows.map((w) => toWindowInput(w, now));
    const stored = await this.durable.read(`${policy.name}:${subject}`, now);
    const { state, admission } = evaluate(stored, inputs, now, 0);
    const used = state.map((s) => (s && 'n' in s ? s.n : undefined));
    return { ...this.decision(policy, true, admission.results, now), used };
  }

  private decision(policy: LimitPolicy, admitted: boolean, results: RawAdmission['results'], now: number): LimitDecision {
    const windows: WindowStatus[] = policy.windows.map((spec, i) => {
      const [remaining, resetAt, retryAt] = results[i];
      return { name: spec.name, limit: windowLimit(spec), seconds: windowSeconds(spec), remaining, resetAt, retryAt };
    });
    const tightest = windows.reduce((a, b) =>
      b.remaining < a.remaining || (b.remaining === a.remaining && b.seconds < a.seconds) ? b : a,
    );
    const retryAt = Math.max(...windows.map((w) => w.retryAt));
    return {
      policy: policy.name,
      admitted,
      now,
      windows,
      tightest,
      retryAfterSeconds: admitted ? 0 : Math.max(1, Math.ceil((retryAt - now) / 1000)),
    };
  }
}
