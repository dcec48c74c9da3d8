import { DomainError } from '#errors';
import { checkSettingsRules, effectiveSettings, mergeSettings, principalSettings } from './account-settings.js';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).fields.map((f) => f.field).sort();
  }
  throw new Error('expected an INVALID error');
}

describe('account settings', () => {
  it('fills defaults, with the Planfix quota of the plan and the slug as Planpoint namespace', () => {
    const eff = effectiveSettings({}, { slug: 'acme', plan: 'premium' });
    expect(eff.plansync.requests_per_minute).toBe(60);
    expect(eff.forward_planner).toEqual({
      api_access: true,
      product_id: 1,
      embargo_access: false,
      limit_per_minute: 500,
      limit_per_hour: 3000,
      limit_per_day: 10000,
    });
    expect(eff.planfix).toEqual({ daily_quota: 100_000, rate_per_second: 1, burst: 10, strict_signature: false, timezone: 'UTC' });
    expect(eff.planpoint.namespace).toBe('acme');
    expect(effectiveSettings({}, { slug: 'a', plan: 'free' }).planfix.daily_quota).toBe(0);
    expect(effectiveSettings({}, { slug: 'a', plan: 'basic' }).planfix.daily_quota).toBe(20_000);
    expect(effectiveSettings({}, { slug: 'a', plan: 'pro' }).planfix.daily_quota).toBe(50_000);
  });

  it('merges field by field and resets with null', () => {
    let s = mergeSettings({}, { planfix: { burst: 20, timezone: 'America/New_York' } });
    s = mergeSettings(s, { planfix: { burst: null }, plansync: { requests_per_minute: 5 } });
    expect(s).toEqual({ planfix: { timezone: 'America/New_York' }, plansync: { requests_per_minute: 5 } });
    expect(mergeSettings(s, { planfix: null })).toEqual({ plansync: { requests_per_minute: 5 } });
  });

  it('does not change the stored object it was given', () => {
    const stored = { plansync: { requests_per_minute: 5 } };
    mergeSettings(stored, { plansync: { requests_per_minute: 6 } });
    expect(stored.plansync.requests_per_minute).toBe(5);
  });

  it.each([
    [{ nope: {} }, ['settings.nope']],
    [{ plansync: { rpm: 5 } }, ['settings.plansync.rpm']],
    [{ plansync: { requests_per_minute: 0 } }, ['settings.plansync.requests_per_minute']],
    [{ plansync: { requests_per_minute: 100_001 } }, ['settings.plansync.requests_per_minute']],
    [{ plansync: { requests_per_minute: 1.5 } }, ['settings.plansync.requests_per_minute']],
    [{ plansync: { requests_per_minute: '60' } }, ['settings.plansync.requests_per_minute']],
    [{ planfix: { timezone: 'Mars/Olympus' } }, ['settings.planfix.timezone']],
    [{ planfix: { rate_per_second: -1 } }, ['settings.planfix.rate_per_second']],
    [{ planfix: { strict_signature: 'yes' } }, ['settings.planfix.strict_signature']],
    [{ planpoint: { namespace: 'Has Space' } }, ['settings.planpoint.namespace']],
    [{ planpoint: 'x' }, ['settings.planpoint']],
    [{ plansync: { requests_per_minute: 0 }, planfix: { burst: 0 } }, ['settings.planfix.burst', 'settings.plansync.requests_per_minute']],
  ])('refuses %j naming every bad field', (patch, fields) => {
    expect(issuesOf(() => mergeSettings({}, patch))).toEqual(fields);
  });

  it('refuses settings that are not an object', () => {
    expect(issuesOf(() => mergeSettings({}, [1]))).toEqual(['settings']);
  });

  it('refuses Planfix strict signature checking while the account has no signing key', () => {
    const strict = mergeSettings({}, { planfix: { strict_signature: true } });
    expect(issuesOf(() => checkSettingsRules(strict, { planfixSigningKeySet: false }))).toEqual(['settings.planfix.strict_signature']);
    expect(() => checkSettingsRules(strict, { planfixSigningKeySet: true })).not.toThrow();
    expect(() => checkSettingsRules({}, { planfixSigningKeySet: false })).not.toThrow();
  });
});

describe('principalSettings', () => {
  it('follows the principal: a changed account (new settings object, plan or slug) is read anew, never the old merge', () => {
    const stored = { planfix: { timezone: 'Europe/Berlin' } };
    const before = { accountSettings: stored, accountSlug: 'acme', accountPlan: 'pro' as const };
    expect(principalSettings(before).planfix.timezone).toBe('Europe/Berlin');
    expect(principalSettings(before)).toBe(principalSettings({ ...before }));
    // the Admin API's PATCH gives the reloaded principal a new settings object
    expect(principalSettings({ ...before, accountSettings: { planfix: { timezone: 'UTC' } } }).planfix.timezone).toBe('UTC');
    expect(principalSettings({ ...before, accountPlan: 'free' }).planfix.daily_quota).toBe(
      effectiveSettings(stored, { slug: 'acme', plan: 'free' }).planfix.daily_quota,
    );
    expect(principalSettings({ ...before, accountSlug: 'globex' }).planpoint.namespace).toBe('globex');
  });

  it('hands out settings no caller can change for the others', () => {
    const settings = principalSettings({ accountSettings: {}, accountSlug: 'acme', accountPlan: 'pro' });
    expect(() => {
      (settings.planfix as { timezone: string }).timezone = 'Asia/Tokyo';
    }).toThrow(TypeError);
  });
});
