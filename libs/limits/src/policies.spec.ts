import { effectiveSettings, mergeSettings } from '#identity';
import { forwardPlannerAccountPolicy, planfixPolicy, plansyncPolicy, planpointPublicPolicy, REVERSE_ETL_POLICY } from './policies.js';

const acct = { slug: 'acme', plan: 'pro' as const };

describe('protocol policies', () => {
  it('PlanSync: 60 per rolling minute per key, or the override', () => {
    expect(plansyncPolicy(effectiveSettings({}, acct)).windows).toEqual([{ kind: 'sliding', name: 'plansync', limit: 60, seconds: 60 }]);
    const s = mergeSettings({}, { plansync: { requests_per_minute: 120 } });
    expect(plansyncPolicy(effectiveSettings(s, acct)).windows[0]).toMatchObject({ limit: 120 });
  });

  it('Forward Planner: minute, hour and day windows, durable, from the settings', () => {
    const p = forwardPlannerAccountPolicy(effectiveSettings(mergeSettings({}, { forward_planner: { limit_per_hour: 5 } }), acct));
    expect(p.durable).toBe(true);
    expect(p.windows.map((w) => [w.name, 'limit' in w ? w.limit : 0])).toEqual([
      ['fp-minute', 500],
      ['fp-hour', 5],
      ['fp-day', 10_000],
    ]);
  });

  it('Planfix: daily quota of the plan in the account time zone (first, whatever the rate), then the bucket; none when the rate is 0', () => {
    const p = planfixPolicy(effectiveSettings(mergeSettings({}, { planfix: { timezone: 'Asia/Tokyo' } }), acct));
    expect(p.windows).toEqual([
      { kind: 'fixed', name: 'planfix-day', limit: 50_000, unit: 'day', timeZone: 'Asia/Tokyo' },
      { kind: 'bucket', name: 'planfix-rate', ratePerSecond: 1, burst: 10 },
    ]);
    const off = planfixPolicy(effectiveSettings(mergeSettings({}, { planfix: { rate_per_second: 0, daily_quota: 3 } }), acct));
    expect(off.windows).toEqual([{ kind: 'fixed', name: 'planfix-day', limit: 3, unit: 'day', timeZone: 'UTC' }]);
  });

  it('Planpoint public finds and reverse ETL: rolling minute windows', () => {
    expect(planpointPublicPolicy().windows[0]).toMatchObject({ kind: 'sliding', limit: 300, seconds: 60 });
    expect(REVERSE_ETL_POLICY.windows[0]).toMatchObject({ kind: 'sliding', limit: 120, seconds: 60 });
  });
});
