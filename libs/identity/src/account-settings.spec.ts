import { DomainError } from '#errors';
import { SettingsRegistry, settingsSection } from './account-settings.js';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).fields.map((f) => f.field).sort();
  }
  throw new Error('expected an INVALID error');
}

// Two sections as protocols declare them: this lib knows none of the real ones.
const ALPHA = settingsSection({
  name: 'alpha',
  fields: {
    per_minute: { kind: 'int', min: 1, max: 100, default: 60 },
    quota: { kind: 'int', min: 0, max: 1_000, default: null },
    zone: { kind: 'timezone', default: 'UTC' },
    signed: { kind: 'bool', default: false },
  },
  derive: (values, account) => {
    values.quota ??= account.plan === 'free' ? 0 : 500;
  },
  rules: (values, account) => (values.signed && !account.signingKeySet ? [{ field: 'signed', issue: 'needs a signing key' }] : []),
  facts: (account) => ({ key_set: account.signingKeySet }),
  shares: { timeZone: 'zone' },
});
const BETA = settingsSection({
  name: 'beta',
  fields: { rate: { kind: 'number', min: 0, max: 10, default: 1 }, name: { kind: 'slug', default: null } },
  derive: (values, account) => {
    values.name ??= account.slug;
  },
});
const registry = new SettingsRegistry([ALPHA, BETA]);
const acct = { slug: 'acme', plan: 'pro' as const, signingKeySet: false };

describe('account settings', () => {
  it('reads a section with its defaults, some of them from the account (plan, slug)', () => {
    expect(ALPHA.read({}, acct)).toEqual({ per_minute: 60, quota: 500, zone: 'UTC', signed: false });
    expect(ALPHA.read({}, { slug: 'a', plan: 'free' }).quota).toBe(0);
    expect(BETA.read({}, acct)).toEqual({ rate: 1, name: 'acme' });
    expect(registry.shown({ alpha: { quota: 7 } }, acct)).toEqual({
      alpha: { per_minute: 60, quota: 7, zone: 'UTC', signed: false, key_set: false },
      beta: { rate: 1, name: 'acme' },
    });
  });

  it('merges field by field and resets with null', () => {
    let s = registry.merge({}, { alpha: { per_minute: 20, zone: 'America/New_York' } });
    s = registry.merge(s, { alpha: { per_minute: null }, beta: { rate: 5 } });
    expect(s).toEqual({ alpha: { zone: 'America/New_York' }, beta: { rate: 5 } });
    expect(registry.merge(s, { alpha: null })).toEqual({ beta: { rate: 5 } });
  });

  it('does not change the stored object it was given', () => {
    const stored = { beta: { rate: 5 } };
    registry.merge(stored, { beta: { rate: 6 } });
    expect(stored.beta.rate).toBe(5);
  });

  it.each([
    [{ nope: {} }, ['settings.nope']],
    [{ alpha: { rpm: 5 } }, ['settings.alpha.rpm']],
    [{ alpha: { per_minute: 0 } }, ['settings.alpha.per_minute']],
    [{ alpha: { per_minute: 101 } }, ['settings.alpha.per_minute']],
    [{ alpha: { per_minute: 1.5 } }, ['settings.alpha.per_minute']],
    [{ alpha: { per_minute: '60' } }, ['settings.alpha.per_minute']],
    [{ alpha: { zone: 'Mars/Olympus' } }, ['settings.alpha.zone']],
    [{ beta: { rate: -1 } }, ['settings.beta.rate']],
    [{ alpha: { signed: 'yes' } }, ['settings.alpha.signed']],
    [{ beta: { name: 'Has Space' } }, ['settings.beta.name']],
    [{ beta: 'x' }, ['settings.beta']],
    [{ alpha: { per_minute: 0 }, beta: { rate: 11 } }, ['settings.alpha.per_minute', 'settings.beta.rate']],
  ])('refuses %j naming every bad field', (patch, fields) => {
    expect(issuesOf(() => registry.merge({}, patch))).toEqual(fields);
  });

  it('refuses settings that are not an object', () => {
    expect(issuesOf(() => registry.merge({}, [1]))).toEqual(['settings']);
  });

  it("checks a section's rules against the account's state", () => {
    const signed = registry.merge({}, { alpha: { signed: true } });
    expect(issuesOf(() => registry.check(signed, acct))).toEqual(['settings.alpha.signed']);
    expect(() => registry.check(signed, { ...acct, signingKeySet: true })).not.toThrow();
    expect(() => registry.check({}, acct)).not.toThrow();
  });

  it('gives the shared libs the settings a section shares, and the default where none does', () => {
    expect(registry.read('timeZone', { alpha: { zone: 'Asia/Tokyo' } }, acct)).toBe('Asia/Tokyo');
    expect(registry.read('sqlSources', {}, acct)).toBe(false);
  });

  it('refuses two sections of one name, or two sharing one setting', () => {
    expect(() => new SettingsRegistry([ALPHA, ALPHA])).toThrow('two settings sections are named alpha');
    const gamma = settingsSection({ name: 'gamma', fields: { tz: { kind: 'timezone', default: 'UTC' } }, shares: { timeZone: 'tz' } });
    expect(() => new SettingsRegistry([ALPHA, gamma])).toThrow('two settings sections share timeZone');
  });
});

describe("a section's values for the caller", () => {
  it('follow the principal: a changed account (new settings object, plan or slug) is read anew, never the old merge', () => {
    const stored = { alpha: { zone: 'Europe/Berlin' } };
    const before = { accountSettings: stored, accountSlug: 'acme', accountPlan: 'pro' as const };
    expect(ALPHA.of(before).zone).toBe('Europe/Berlin');
    expect(ALPHA.of(before)).toBe(ALPHA.of({ ...before }));
    // the Admin API's PATCH gives the reloaded principal a new settings object
    expect(ALPHA.of({ ...before, accountSettings: { alpha: { zone: 'UTC' } } }).zone).toBe('UTC');
    expect(ALPHA.of({ ...before, accountPlan: 'free' }).quota).toBe(0);
    expect(BETA.of({ ...before, accountSlug: 'globex' }).name).toBe('globex');
  });

  it('cannot be changed by one caller for the others', () => {
    const values = ALPHA.of({ accountSettings: {}, accountSlug: 'acme', accountPlan: 'pro' });
    expect(() => {
      (values as { zone: string }).zone = 'Asia/Tokyo';
    }).toThrow(TypeError);
  });
});
