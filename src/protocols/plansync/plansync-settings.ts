import { settingsSection, type SettingsOwner } from '#identity';
import { type LimitPolicy } from '#limits';

/** PlanSync's account settings (`settings.plansync`, docs/plansync.md): the per-key rate. */
export const PLANSYNC_SETTINGS = settingsSection({
  name: 'plansync',
  fields: {
    requests_per_minute: { kind: 'int', min: 1, max: 100_000, default: 60 },
  },
});

/** 60 requests in any rolling 60 s per key (docs/plansync.md), or the account's setting. */
export function plansyncPolicy(p: SettingsOwner): LimitPolicy {
  const limit = PLANSYNC_SETTINGS.of(p).requests_per_minute;
  return { name: 'plansync', windows: [{ kind: 'sliding', name: 'plansync', limit, seconds: 60 }] };
}
