import { Global, Injectable, Module, SetMetadata } from '@nestjs/common';
import { type Response } from 'express';
import { type DomainError } from '#errors';
import { Limiter, type LimitDecision, type LimitPolicy } from '#limits';
import { MetricsService } from '../metrics/metrics.service.js';

/** How a protocol puts a limit decision on the wire: the headers of every counted answer, and its refusal. */
export interface LimitAnswer {
  headers?(decision: LimitDecision): Record<string, string>;
  refused(decision: LimitDecision): DomainError;
}

/**
 * The admission steps every protocol's guard is made of, written once: a request counted against a limit (headers
 * on the answer, a refusal thrown and counted in the metrics), and lockouts after failed attempts. A guard orders
 * them as its protocol's documentation says; what differs between protocols (policies, subjects, headers, words)
 * is the data it passes.
 */
@Injectable()
export class Admission {
  constructor(
    private readonly limiter: Limiter,
    private readonly metrics: MetricsService,
  ) {}

  /** Counts one request of `subject` in the policy; sets the protocol's headers; throws its refusal when refused. */
  async admit(
    protocol: string,
    policy: LimitPolicy,
    subject: string,
    res: Response | undefined,
    answer: LimitAnswer,
  ): Promise<LimitDecision> {
    const decision = await this.limiter.admit(policy, subject);
    if (res && answer.headers) res.set(answer.headers(decision));
    if (!decision.admitted) {
      this.metrics.limitRejections.inc({ protocol });
      throw answer.refused(decision);
    }
    return decision;
  }

  /**
   * A lockout after failed attempts counted in `policy`. `lockWhenFull`: the failure that fills the window locks at
   * once (the next attempt is refused before it is checked), else the first failure the window refuses does.
   */
  lockout(protocol: string, policy: LimitPolicy, options: { lockWhenFull: boolean }): Lockout {
    return new Lockout(this.limiter, () => this.metrics.limitRejections.inc({ protocol }), policy, options.lockWhenFull);
  }
}

/**
 * Failed attempts (wrong credentials) counted per subject, a client IP or a user; once they fill the window the
 * subject is locked and its attempts are refused before any credential is looked up or hashed. The lock is kept on
 * this instance; with a durable policy an instance that has not seen it reads the shared count first, so that a
 * lock holds on every instance.
 */
export class Lockout {
  /** Locked subjects, until when (epoch ms). */
  private readonly locks = new Map<string, number>();

  constructor(
    private readonly limiter: Limiter,
    private readonly countRefusal: () => void,
    private readonly policy: LimitPolicy,
    private readonly lockWhenFull: boolean,
  ) {}

  /** Until when the subject is locked (epoch ms), or undefined. */
  async lockedUntil(subject: string): Promise<number | undefined> {
    let until = this.locks.get(subject);
    if (until === undefined && this.policy.durable) {
      const seen = await this.limiter.peek(this.policy, subject);
      if (seen.tightest.remaining === 0) this.locks.set(subject, (until = seen.tightest.resetAt));
    }
    if (until === undefined) return undefined;
    if (until > Date.now()) return until;
    this.locks.delete(subject);
    return undefined;
  }

  /**
   * Counts one failure. `refused`: the window was already full (the caller answers its 429 instead of its 401);
   * `lockedUntil`: the subject is locked from now on.
   */
  async failed(subject: string): Promise<{ refused: boolean; lockedUntil?: number }> {
    const decision = await this.limiter.admit(this.policy, subject);
    if (!decision.admitted) {
      const until = decision.now + decision.retryAfterSeconds * 1000;
      this.locks.set(subject, until);
      this.countRefusal();
      return { refused: true, lockedUntil: until };
    }
    if (this.lockWhenFull && decision.tightest.remaining === 0) {
      this.locks.set(subject, decision.tightest.resetAt);
      return { refused: false, lockedUntil: decision.tightest.resetAt };
    }
    return { refused: false };
  }

  /** A success ends what this instance remembers of a lock (the shared count is left to expire). */
  cleared(subject: string): void {
    this.locks.delete(subject);
  }
}

/** Whole seconds until `until`, at least 1: a Retry-After. */
export function secondsUntil(until: number): number {
  return Math.max(1, Math.ceil((until - Date.now()) / 1000));
}

/** Admission for every protocol module (global for injection only: it mounts no middleware). */
@Global()
@Module({ providers: [Admission], exports: [Admission] })
export class AdmissionModule {}

/** What a route asks of its caller, set beside the guard that enforces it: the source of docs/routes.md. */
export interface RouteAdmission {
  /** The credential and where it goes. */
  credential: string;
  /** Who among the authenticated may call (a role, a setting). */
  role?: string;
  /** The limit policy the request is counted in. */
  limit?: string;
}

export const ROUTE_ADMISSION = 'plangate:route-admission';

export const Admits = (admission: RouteAdmission) => SetMetadata(ROUTE_ADMISSION, admission);
