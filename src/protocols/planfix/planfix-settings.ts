import { settingsSection, type SettingsOwner, type StoredSettings, type AccountRef } from '#identity';
import { type LimitPolicy } from '#limits';
import { type AccountPlan } from '#store';

const INT_MAX = 2_147_483_647;

/** Requests per calendar day through the Planfix XML API, by plan (free: no API access). */
export const PLANFIX_DAILY_QUOTA: Record<AccountPlan, number> = { free: 0, basic: 20_000, pro: 50_000, premium: 100_000 };

/**
 * Planfix's account settings (`settings.planfix`, docs/planfix.md). Its time zone is the account's for every
 * protocol's records (the first protocol that needed one); strict signatures need the account's signing key.
 */
export const PLANFIX_SETTINGS = settingsSection({
  name: 'planfix',
  fields: {
    // null: the plan's figure (PLANFIX_DAILY_QUOTA)
    daily_quota: { kind: 'int', min: 0, max: INT_MAX, default: null },
    rate_per_second: { kind: 'number', min: 0, max: 1_000_000, default: 1 },
    burst: { kind: 'int', min: 1, max: 1_000, default: 10 },
    strict_signature: { kind: 'bool', default: false },
    timezone: { kind: 'timezone', default: 'UTC' },
  },
  derive: (values, account) => {
    values.daily_quota ??= PLANFIX_DAILY_QUOTA[account.plan];
  },
  rules: (values, account) =>
    values.strict_signature && !account.signingKeySet
      ? [{ field: 'strict_signature', issue: 'needs a signing key: POST /admin/accounts/{slug}/planfix/signing-key first' }]
      : [],
  facts: (account) => ({ signing_key_set: account.signingKeySet }),
  shares: { timeZone: 'timezone' },
});

export type PlanfixSettings = ReturnType<typeof PLANFIX_SETTINGS.of>;

/**
 * The daily quota of the plan, in the account's time zone, and the per-second token bucket, admitted as one and
 * durable (the spec's daily count survives restarts). The free plan (quota 0) is refused before this. The day comes
 * first: stored window states are matched by position, so turning the bucket on or off (rate 0) must not move the
 * day's count to another slot and restart it.
 */
export function planfixPolicy(pf: PlanfixSettings): LimitPolicy {
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

/** The name of the daily window (its count is the account's usage of the day). */
export const PLANFIX_DAY_WINDOW = 'planfix-day';

/** The caller's account's policy. */
export function planfixPolicyOf(p: SettingsOwner): LimitPolicy {
  return planfixPolicy(PLANFIX_SETTINGS.of(p));
}

/** An account's policy and the subject it is counted under (the Admin API's usage answer reads it without counting). */
export function planfixQuota(stored: StoredSettings, account: AccountRef & { id: string }) {
  return { policy: planfixPolicy(PLANFIX_SETTINGS.read(stored, account)), subject: `account:${account.id}` };
}
