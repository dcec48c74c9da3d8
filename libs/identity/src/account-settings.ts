import { DomainError, type FieldIssue } from '#errors';
import { type AccountPlan } from '#store';

/**
 * The per-protocol options an operator may set on an account (PATCH /admin/accounts/{slug} `settings`). Stored
 * sparse (only what was set); `effectiveSettings` fills in the defaults. One table, so an unknown key or a bad value
 * is refused with 422 and nothing changes.
 */
type FieldSpec =
  | { kind: 'int'; min: number; max: number; default: number | null }
  | { kind: 'number'; min: number; max: number; default: number }
  | { kind: 'bool'; default: boolean }
  | { kind: 'slug'; default: null }
  | { kind: 'timezone'; default: string };

const INT_MAX = 2_147_483_647;

export const SETTINGS_SCHEMA = {
  plansync: {
    requests_per_minute: { kind: 'int', min: 1, max: 100_000, default: 60 },
  },
  forward_planner: {
    api_access: { kind: 'bool', default: true },
    product_id: { kind: 'int', min: 1, max: INT_MAX, default: 1 },
    embargo_access: { kind: 'bool', default: false },
    limit_per_minute: { kind: 'int', min: 1, max: 1_000_000, default: 500 },
    limit_per_hour: { kind: 'int', min: 1, max: 1_000_000, default: 3_000 },
    limit_per_day: { kind: 'int', min: 1, max: 1_000_000, default: 10_000 },
  },
  planfix: {
    // null: the plan's figure (see PLANFIX_DAILY_QUOTA).
    daily_quota: { kind: 'int', min: 0, max: INT_MAX, default: null },
    rate_per_second: { kind: 'number', min: 0, max: 1_000_000, default: 1 },
    burst: { kind: 'int', min: 1, max: 1_000, default: 10 },
    strict_signature: { kind: 'bool', default: false },
    timezone: { kind: 'timezone', default: 'UTC' },
  },
  planpoint: {
    // null: the account's slug.
    namespace: { kind: 'slug', default: null },
  },
  reverse_etl: {
    sql_sources: { kind: 'bool', default: true },
  },
} as const satisfies Record<string, Record<string, FieldSpec>>;

export type SettingsSection = keyof typeof SETTINGS_SCHEMA;
export type StoredSettings = Partial<Record<SettingsSection, Record<string, unknown>>>;

/** Requests per calendar day through the Planfix XML API, by plan (free: no API access). */
export const PLANFIX_DAILY_QUOTA: Record<AccountPlan, number> = { free: 0, basic: 20_000, pro: 50_000, premium: 100_000 };

export interface EffectiveSettings {
  plansync: { requests_per_minute: number };
  forward_planner: {
    api_access: boolean;
    product_id: number;
    embargo_access: boolean;
    limit_per_minute: number;
    limit_per_hour: number;
    limit_per_day: number;
  };
  planfix: { daily_quota: number; rate_per_second: number; burst: number; strict_signature: boolean; timezone: string };
  planpoint: { namespace: string };
  reverse_etl: { sql_sources: boolean };
}

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function checkValue(spec: FieldSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be an integer';
      if (value < spec.min || value > spec.max) return `must be from ${spec.min} to ${spec.max}`;
      return undefined;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (value < spec.min || value > spec.max) return `must be from ${spec.min} to ${spec.max}`;
      return undefined;
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'slug':
      return typeof value === 'string' && SLUG.test(value) ? undefined : 'must match ^[a-z0-9][a-z0-9-]{1,62}$';
    case 'timezone':
      return typeof value === 'string' && value.length <= 64 && isTimeZone(value)
        ? undefined
        : 'must be an IANA time zone such as Europe/Berlin';
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Merges a settings patch into the stored (sparse) settings: field by field, `null` resets a field (or a whole
 * section) to its default. Throws INVALID naming every bad field; the stored value is never half-changed.
 */
export function mergeSettings(stored: StoredSettings, patch: unknown): StoredSettings {
  if (!isPlainObject(patch)) throw DomainError.invalid([{ field: 'settings', issue: 'must be an object' }]);
  const issues: FieldIssue[] = [];
  const next: StoredSettings = structuredClone(stored);
  for (const [section, fields] of Object.entries(patch)) {
    const schema = (SETTINGS_SCHEMA as Record<string, Record<string, FieldSpec>>)[section];
    if (!schema) {
      issues.push({ field: `settings.${section}`, issue: 'unknown setting' });
      continue;
    }
    const key = section as SettingsSection;
    if (fields === null) {
      delete next[key];
      continue;
    }
    if (!isPlainObject(fields)) {
      issues.push({ field: `settings.${section}`, issue: 'must be an object' });
      continue;
    }
    const target = { ...(next[key] ?? {}) };
    for (const [name, value] of Object.entries(fields)) {
      const spec = schema[name];
      if (!spec) {
        issues.push({ field: `settings.${section}.${name}`, issue: 'unknown setting' });
        continue;
      }
      if (value === null) {
        delete target[name];
        continue;
      }
      const problem = checkValue(spec, value);
      if (problem) issues.push({ field: `settings.${section}.${name}`, issue: problem });
      else target[name] = value;
    }
    if (Object.keys(target).length) next[key] = target;
    else delete next[key];
  }
  if (issues.length) throw DomainError.invalid(issues, 'invalid settings');
  return next;
}

/**
 * Rules across settings and the account's other state, checked when settings change (the merge itself checks each
 * field alone): Planfix strict signature checking needs a signing key to check against.
 */
export function checkSettingsRules(settings: StoredSettings, account: { planfixSigningKeySet: boolean }): void {
  if (settings.planfix?.strict_signature === true && !account.planfixSigningKeySet) {
    throw DomainError.invalid(
      [{ field: 'settings.planfix.strict_signature', issue: 'needs a signing key: POST /admin/accounts/{slug}/planfix/signing-key first' }],
      'invalid settings',
    );
  }
}

/** The values in force: what was set, else the default (some defaults depend on the account's plan and slug). */
export function effectiveSettings(stored: StoredSettings, account: { slug: string; plan: AccountPlan }): EffectiveSettings {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [section, schema] of Object.entries(SETTINGS_SCHEMA) as [SettingsSection, Record<string, FieldSpec>][]) {
    const given = stored[section] ?? {};
    out[section] = {};
    for (const [name, spec] of Object.entries(schema)) out[section][name] = name in given ? given[name] : spec.default;
  }
  out.planfix.daily_quota ??= PLANFIX_DAILY_QUOTA[account.plan];
  out.planpoint.namespace ??= account.slug;
  return out as unknown as EffectiveSettings;
}

/**
 * Merged settings per stored settings object: a cached Principal keeps its object until the account changes, and a
 * page asked for them once per row (4 % of a Planfix page's CPU). Frozen, since every caller now shares them.
 */
const merged = new WeakMap<StoredSettings, { slug: string; plan: AccountPlan; settings: EffectiveSettings }>();

/** The settings in force for the caller's account (from its cached Principal). */
export function principalSettings(p: {
  accountSettings: StoredSettings;
  accountSlug: string;
  accountPlan: AccountPlan;
}): EffectiveSettings {
  const known = merged.get(p.accountSettings);
  if (known && known.slug === p.accountSlug && known.plan === p.accountPlan) return known.settings;
  const settings = effectiveSettings(p.accountSettings, { slug: p.accountSlug, plan: p.accountPlan });
  for (const section of Object.values(settings)) Object.freeze(section);
  Object.freeze(settings);
  merged.set(p.accountSettings, { slug: p.accountSlug, plan: p.accountPlan, settings });
  return settings;
}

/**
 * The account's time zone, in which dates without one are read and deadlines fall, for every protocol's records
 * (its setting sits in the planfix section, the first protocol that needed one).
 */
export function accountTimeZone(p: Parameters<typeof principalSettings>[0]): string {
  return principalSettings(p).planfix.timezone;
}
