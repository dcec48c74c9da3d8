import { Injectable } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { type LimitPolicy } from '#limits';
import { FORWARD_PLANNER_AUTH_POLICY, FORWARD_PLANNER_PUBLIC_POLICY, forwardPlannerAccountPolicy } from './forward-planner-settings.js';
import { Admission, type LimitAnswer } from '../../pipeline/admission.js';
import { fpRateLimitHeaders } from './wire/fp-rate-limit.js';

const FP_LIMIT: LimitAnswer = {
  headers: fpRateLimitHeaders,
  refused: (d) => new DomainError('RATE_LIMITED', 'rate limit exceeded', { retryAfter: d.retryAfterSeconds }),
};

/**
 * The three buckets of docs/forward-planner.md Each admission puts its headers on the response (refusals
 * included) and throws RATE_LIMITED when refused: every /api/v2 answer carries exactly one bucket's headers.
 */
@Injectable()
export class ForwardPlannerLimits {
  constructor(private readonly admission: Admission) {}

  /** Every data request with a valid access token, whatever its outcome. */
  account(res: Response, p: Principal): Promise<void> {
    return this.admit(res, forwardPlannerAccountPolicy(p), `account:${p.accountId}`);
  }

  /** Every `POST /api/v2/auth`, per client IP and lower-cased username. */
  auth(req: Request, res: Response, username: string): Promise<void> {
    return this.admit(res, FORWARD_PLANNER_AUTH_POLICY, `ip:${req.ip ?? 'unknown'}:user:${username}`);
  }

  /** Renews, and every answer tied to no account (401, unknown path, 405), per client IP. */
  public(req: Request, res: Response): Promise<void> {
    return this.admit(res, FORWARD_PLANNER_PUBLIC_POLICY, `ip:${req.ip ?? 'unknown'}`);
  }

  private async admit(res: Response, policy: LimitPolicy, subject: string): Promise<void> {
    await this.admission.admit('forward-planner', policy, subject, res, FP_LIMIT);
  }
}
