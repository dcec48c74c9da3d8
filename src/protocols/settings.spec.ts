import { SettingsRegistry } from '#identity';
import { FORWARD_PLANNER_SETTINGS, forwardPlannerAccountPolicy } from './forward-planner/forward-planner-settings.js';
import { PROTOCOLS } from './index.js';
import { PLANFIX_SETTINGS, planfixPolicy } from './planfix/planfix-settings.js';
import { planpointPublicPolicy } from './planpoint/planpoint-settings.js';
import { plansyncPolicy } from './plansync/plansync-settings.js';
import { REVERSE_ETL_POLICY } from './reverse-etl/reverse-etl-settings.js';

const registry = new SettingsRegistry(PROTOCOLS.settingsSections());
const acct = { slug: 'acme', plan: 'pro' as const, signingKeySet: false };
const owner = (stored: object) => ({ accountSettings: stored, accountSlug: 'acme', accountPlan: 'pro' as const });

describe("the protocols' settings sections", () => {
  it('show every default, with the Planfix quota of the plan and the slug as Planpoint namespace (the Admin API body)', () => {
    expect(registry.shown({}, { ...acct, plan: 'premium' })).toEqual({
      plansync: { requests_per_minute: 60 },
      forward_planner: {
        api_access: true,
        product_id: 1,
        embargo_access: false,
        limit_per_minute: 500,
        limit_per_hour: 3000,
        limit_per_day: 10000,
      },
      planfix: { daily_quota: 100_000, rate_per_second: 1, burst: 10, strict_signature: false, timezone: 'UTC', signing_key_set: false },
      planpoint: { namespace: 'acme' },
      reverse_etl: { sql_sources: true },
    });
    for (const [plan, quota] of [
      ['free', 0],
      ['basic', 20_000],
      ['pro', 50_000],
    ] as const) {
      expect(PLANFIX_SETTINGS.read({}, { slug: 'a', plan }).daily_quota).toBe(quota);
    }
  });

  it("give the shared libs Planfix's time zone as the account's, and reverse ETL's SQL switch", () => {
    expect(registry.read('timeZone', { planfix: { timezone: 'Asia/Tokyo' } }, acct)).toBe('Asia/Tokyo');
    expect(registry.read('sqlSources', { reverse_etl: { sql_sources: false } }, acct)).toBe(false);
  });

  it('refuse Planfix strict signature checking while the account has no signing key', () => {
    const strict = registry.merge({}, { planfix: { strict_signature: true } });
    expect(registry.broken(strict, acct).map((i) => i.field)).toEqual(['settings.planfix.strict_signature']);
    expect(registry.broken(strict, { ...acct, signingKeySet: true })).toEqual([]);
  });
});

describe("the protocols' limit policies", () => {
  it('PlanSync: 60 per rolling minute per key, or the override', () => {
    expect(plansyncPolicy(owner({})).windows).toEqual([{ kind: 'sliding', name: 'plansync', limit: 60, seconds: 60 }]);
    expect(plansyncPolicy(owner({ plansync: { requests_per_minute: 120 } })).windows[0]).toMatchObject({ limit: 120 });
  });

  it('Forward Planner: minute, hour and day windows, durable, from the settings', () => {
    const p = forwardPlannerAccountPolicy(owner(registry.merge({}, { forward_planner: { limit_per_hour: 5 } })));
    expect(p.durable).toBe(true);
    expect(p.windows.map((w) => [w.name, 'limit' in w ? w.limit : 0])).toEqual([
      ['fp-minute', 500],
      ['fp-hour', 5],
      ['fp-day', 10_000],
    ]);
    expect(FORWARD_PLANNER_SETTINGS.of(owner({})).api_access).toBe(true);
  });

  it('Planfix: daily quota of the plan in the account time zone (first, whatever the rate), then the bucket; none when the rate is 0', () => {
    const p = planfixPolicy(PLANFIX_SETTINGS.read(registry.merge({}, { planfix: { timezone: 'Asia/Tokyo' } }), acct));
    expect(p.windows).toEqual([
      { kind: 'fixed', name: 'planfix-day', limit: 50_000, unit: 'day', timeZone: 'Asia/Tokyo' },
      { kind: 'bucket', name: 'planfix-rate', ratePerSecond: 1, burst: 10 },
    ]);
    const off = planfixPolicy(PLANFIX_SETTINGS.read(registry.merge({}, { planfix: { rate_per_second: 0, daily_quota: 3 } }), acct));
    expect(off.windows).toEqual([{ kind: 'fixed', name: 'planfix-day', limit: 3, unit: 'day', timeZone: 'UTC' }]);
  });

  it('Planpoint public finds and reverse ETL: rolling minute windows', () => {
    expect(planpointPublicPolicy().windows[0]).toMatchObject({ kind: 'sliding', limit: 300, seconds: 60 });
    expect(REVERSE_ETL_POLICY.windows[0]).toMatchObject({ kind: 'sliding', limit: 120, seconds: 60 });
  });
});
