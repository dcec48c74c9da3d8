import { type LimitDecision, type WindowStatus } from './limit-policy.js';
import { ietfRateLimitHeaders, legacyRateLimitHeaders, retryAfterHeader } from './rate-limit-headers.js';

const NOW = 1_750_000_000_000;
const minute: WindowStatus = { name: 'fp-minute', limit: 500, seconds: 60, remaining: 0, resetAt: NOW + 30_500, retryAt: NOW + 30_500 };
const hour: WindowStatus = { name: 'fp-hour', limit: 3000, seconds: 3600, remaining: 2000, resetAt: NOW + 1_800_000, retryAt: NOW };

function decision(admitted: boolean, retryAfterSeconds = 0): LimitDecision {
  return { policy: 'fp', admitted, now: NOW, windows: [minute, hour], tightest: minute, retryAfterSeconds };
}

describe('rate-limit headers', () => {
  it('lists every window in RateLimit-Policy and the tightest in RateLimit', () => {
    expect(ietfRateLimitHeaders(decision(true))).toEqual({
      'RateLimit-Policy': '"fp-minute";q=500;w=60, "fp-hour";q=3000;w=3600',
      RateLimit: '"fp-minute";r=0;t=31',
    });
  });

  it('gives the tightest window as Limit, Remaining and Reset in epoch seconds, with either prefix', () => {
    expect(legacyRateLimitHeaders(decision(true))).toEqual({
      'X-RateLimit-Limit': '500',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(Math.ceil((NOW + 30_500) / 1000)),
    });
    expect(Object.keys(legacyRateLimitHeaders(decision(true), 'X-Rate-Limit'))).toEqual([
      'X-Rate-Limit-Limit',
      'X-Rate-Limit-Remaining',
      'X-Rate-Limit-Reset',
    ]);
  });

  it('adds an integer Retry-After of at least 1 only when refused, never a Retry-After-<name>', () => {
    expect(retryAfterHeader(decision(true))).toEqual({});
    expect(retryAfterHeader(decision(false, 31))).toEqual({ 'Retry-After': '31' });
    expect(retryAfterHeader(decision(false, 0))).toEqual({ 'Retry-After': '1' });
  });
});
