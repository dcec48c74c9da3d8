import { settingsSection } from '#identity';
import { type LimitPolicy } from '#limits';

/** Planpoint's account settings (`settings.planpoint`, docs/planpoint.md): the namespace of its public finds. */
export const PLANPOINT_SETTINGS = settingsSection({
  name: 'planpoint',
  fields: {
    // null: the account's slug
    namespace: { kind: 'slug', default: null },
  },
  derive: (values, account) => {
    values.namespace ??= account.slug;
  },
});

/** 300 public lookups per rolling 60 s per client IP (PLANPOINT_PUBLIC_PER_MINUTE overrides). */
export function planpointPublicPolicy(perMinute = 300): LimitPolicy {
  return { name: 'planpoint-public', windows: [{ kind: 'sliding', name: 'planpoint-public', limit: perMinute, seconds: 60 }] };
}
