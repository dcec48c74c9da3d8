import { type EventViewer } from '#events';
import { settingsSection, type Principal, type SettingsOwner } from '#identity';
import { type LimitPolicy } from '#limits';

const INT_MAX = 2_147_483_647;

/** Forward Planner's account settings (`settings.forward_planner`, docs/forward-planner.md). */
export const FORWARD_PLANNER_SETTINGS = settingsSection({
  name: 'forward_planner',
  fields: {
    api_access: { kind: 'bool', default: true },
    product_id: { kind: 'int', min: 1, max: INT_MAX, default: 1 },
    embargo_access: { kind: 'bool', default: false },
    limit_per_minute: { kind: 'int', min: 1, max: 1_000_000, default: 500 },
    limit_per_hour: { kind: 'int', min: 1, max: 1_000_000, default: 3_000 },
    limit_per_day: { kind: 'int', min: 1, max: 1_000_000, default: 10_000 },
  },
});

/** What the caller may see of its account's events: its product entitlement and embargo access. */
export function eventViewer(p: Principal, now = Date.now()): EventViewer {
  const fp = FORWARD_PLANNER_SETTINGS.of(p);
  return { accountId: p.accountId, productId: fp.product_id, embargoAccess: fp.embargo_access, now };
}

/** 500/minute, 3,000/hour, 10,000/day per account (or its settings), fixed UTC windows, admitted as one. */
export function forwardPlannerAccountPolicy(p: SettingsOwner): LimitPolicy {
  const fp = FORWARD_PLANNER_SETTINGS.of(p);
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

/** 30 auth attempts per minute per client IP and username. */
export const FORWARD_PLANNER_AUTH_POLICY: LimitPolicy = {
  name: 'fp-auth',
  windows: [{ kind: 'fixed', name: 'fp-auth', limit: 30, unit: 'minute' }],
};

/** 30 per minute per client IP for renew and answers tied to no account. */
export const FORWARD_PLANNER_PUBLIC_POLICY: LimitPolicy = {
  name: 'fp-public',
  windows: [{ kind: 'fixed', name: 'fp-public', limit: 30, unit: 'minute' }],
};
