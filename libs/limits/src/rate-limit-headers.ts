import { type LimitDecision, type WindowStatus } from './limit-policy.js';

/** Whole seconds from the decision to `at`, never negative. */
function secondsUntil(decision: LimitDecision, at: number): number {
  return Math.max(0, Math.ceil((at - decision.now) / 1000));
}

/**
 * The IETF pair (draft-ietf-httpapi-ratelimit-headers-10): every window of the policy in `RateLimit-Policy`, the
 * tightest one in `RateLimit`. `names` maps window names to the protocol's published policy names.
 */
export function ietfRateLimitHeaders(decision: LimitDecision): Record<string, string> {
  const policy = decision.windows.map((w) => `"${w.name}";q=${w.limit};w=${w.seconds}`).join(', ');
  const t = decision.tightest;
  return {
    'RateLimit-Policy': policy,
    RateLimit: `"${t.name}";r=${t.remaining};t=${secondsUntil(decision, t.resetAt)}`,
  };
}

/**
 * The de-facto trio on the tightest window: `<prefix>-Limit`, `-Remaining` (after this request), `-Reset` (Unix epoch
 * seconds when that window restarts or its oldest request leaves). The prefix is the protocol's spelling: most
 * write `X-RateLimit`, some `X-Rate-Limit`.
 */
export function legacyRateLimitHeaders(
  decision: LimitDecision,
  prefix: 'X-RateLimit' | 'X-Rate-Limit' = 'X-RateLimit',
): Record<string, string> {
  const t: WindowStatus = decision.tightest;
  return {
    [`${prefix}-Limit`]: String(t.limit),
    [`${prefix}-Remaining`]: String(t.remaining),
    [`${prefix}-Reset`]: String(Math.ceil(t.resetAt / 1000)),
  };
}

/** `Retry-After` for a refused decision: an integer ≥ 1. */
export function retryAfterHeader(decision: LimitDecision): Record<string, string> {
  return decision.admitted ? {} : { 'Retry-After': String(Math.max(1, decision.retryAfterSeconds)) };
}

/** The `X-RateLimit-*` trio, the IETF pair and, when refused, `Retry-After`: what most protocols send. */
export function rateLimitHeaders(decision: LimitDecision): Record<string, string> {
  return { ...legacyRateLimitHeaders(decision), ...ietfRateLimitHeaders(decision), ...retryAfterHeader(decision) };
}
