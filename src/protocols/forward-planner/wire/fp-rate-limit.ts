import { ietfRateLimitHeaders, legacyRateLimitHeaders, type LimitDecision } from '#limits';

/**
 * The limit headers of every /api/v2 answer (docs/forward-planner.md): `X-Rate-Limit-*` on the tightest window and the
 * IETF pair. Refused: `Remaining` 0, `Reset` when the longest full window restarts, and `Retry-After`.
 */
export function fpRateLimitHeaders(decision: LimitDecision): Record<string, string> {
  const headers = { ...legacyRateLimitHeaders(decision, 'X-Rate-Limit'), ...ietfRateLimitHeaders(decision) };
  if (!decision.admitted) {
    headers['X-Rate-Limit-Remaining'] = '0';
    headers['X-Rate-Limit-Reset'] = String(Math.ceil(decision.now / 1000) + decision.retryAfterSeconds);
    headers['Retry-After'] = String(decision.retryAfterSeconds);
  }
  return headers;
}
