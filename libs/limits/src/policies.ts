import { type EffectiveSettings } from '#identity';
import { type LimitPolicy } from './limit-policy.js';

/** Every protocol's published limits, from its spec and the account's effective settings: one table. */

/** PlanSync: 60 requests in any rolling 60 s per key (docs/plansync.md). */
export function plansyncPolicy(settings: EffectiveSettings): LimitPolicy {
  return { name: 'plansync', windows: [{ kind: 'sliding', name: 'plansync', limit: settings.plansync.requests_per_minute, seconds: 60 }] };
}

/** Forward Planner: 500/minute, 3,000/hour, 10,000/day per account, fixed UTC windows, admitted as one. */
export function forwardPlannerAccountPolicy(settings: EffectiveSettings): LimitPolicy {
  const fp = settings.forward_planner;
  return {
    name: 'fp',
    durable: true,
    windows: [
      { kind: 'fixed', name: 'fp-minute', limit: fp.limit_per_minute, unit: 'minute' },
      { kind: 'fixed', name: 'fp-hour', limit: fp.limit_per_hour, unit: 'hour' },
      { kind: 'fixed', name: 'fp-day', limit: fp.limit_per_day, unit: 'day', timeZone: 'UTC' },
    ],
  };
}

/** Forward Planner: 30 auth attempts per minute per client IP and username. */
export const FORWARD_PLANNER_AUTH_POLICY: LimitPolicy = {
  name: 'fp-auth',
  windows: [{ kind: 'fixed', name: 'fp-auth', limit: 30, unit: 'minute' }],
};

/** Forward Planner: 30 per minute per client IP for renew and answers tied to no account. */
export const FORWARD_PLANNER_PUBLIC_POLICY: LimitPolicy = {
  name: 'fp-public',
  windows: [{ kind: 'fixed', name: 'fp-public', limit: 30, unit: 'minute' }],
};

/**
 * Planfix: the daily quota of the plan, in the account's time zone, and the per-second token bucket, admitted as
 * one and durable (the spec's daily count survives restarts). The free plan (quota 0) is refused before this. The
 * day comes first: stored window states are matched by position, so turning the bucket on or off (rate 0) must not
 * move the day's count to another slot and restart it.
 */
export function planfixPolicy(settings: EffectiveSettings): LimitPolicy {
  const pf = settings.planfix;
  return {
    name: 'planfix',
    durable: true,
    windows: [
      { kind: 'fixed', name: PLANFIX_DAY_WINDOW, limit: pf.daily_quota, unit: 'day', timeZone: pf.timezone },
      ...(pf.rate_per_second > 0
        ? [{ kind: 'bucket' as const, name: 'planfix-rate', ratePerSecond: pf.rate_per_second, burst: pf.burst }]
        : []),
    ],
  };
}

/** The name of Planfix's daily window (its count is the account's usage of the day). */
export const PLANFIX_DAY_WINDOW = 'planfix-day';

/** Planpoint: 300 public lookups per rolling 60 s per client IP (PLANPOINT_PUBLIC_PER_MINUTE overrides). */
export function planpointPublicPolicy(perMinute = 300): LimitPolicy {
  return { name: 'planpoint-public', windows: [{ kind: 'sliding', name: 'planpoint-public', limit: perMinute, seconds: 60 }] };
}

/** Reverse ETL: 120 per rolling 60 s per key. */
export const REVERSE_ETL_POLICY: LimitPolicy = {
  name: 'reverse-etl',
  windows: [{ kind: 'sliding', name: 'reverse-etl', limit: 120, seconds: 60 }],
};
