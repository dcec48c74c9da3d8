import { DomainError, type FieldIssue } from '#errors';
import { type AccountPlan } from '#store';

/**
 * The options an operator may set on an account (PATCH /admin/accounts/{slug} `settings`), one section per protocol.
 * Each protocol declares its own section (`settingsSection`, in its folder) and the app registers them all
 * (`SettingsRegistry`); this lib knows none of them. Stored sparse (only what was set); a section fills in its
 * defaults when read. One registry, so an unknown key or a bad value anywhere is refused with 422 and nothing changes.
 */
export type FieldSpec =
  | { kind: 'int'; min: number; max: number; default: number | null }
  | { kind: 'number'; min: number; max: number; default: number }
  | { kind: 'bool'; default: boolean }
  | { kind: 'slug'; default: null }
  | { kind: 'timezone'; default: string };

type ValueOf<S extends FieldSpec> = S extends { kind: 'bool' } ? boolean : S extends { kind: 'int' | 'number' } ? number : string;

/** A section's values in force: every field has one (a null default is filled in by the section's `derive`). */
export type SectionValues<F extends Record<string, FieldSpec>> = { readonly [K in keyof F]: ValueOf<F[K]> };

export type StoredSettings = Partial<Record<string, Record<string, unknown>>>;

/** What a section's defaults may depend on. */
export interface AccountRef {
  slug: string;
  plan: AccountPlan;
}

/** What a section's rules may depend on besides its values. */
export interface AccountState extends AccountRef {
  /** Whether the account has a signing key for signed requests (the key itself is read only by SigningKeysService). */
  signingKeySet: boolean;
}

/** The caller's account as its cached Principal carries it. */
export interface SettingsOwner {
  accountSettings: StoredSettings;
  accountSlug: string;
  accountPlan: AccountPlan;
}

/**
 * Settings the shared libs read, whichever protocol's section holds them: the section names the field (`shares`).
 * A lib asks the registry for `timeZone`, never for a protocol's section.
 */
export interface SharedSettings {
  /** The account's time zone, in which dates without one are read and deadlines fall, in every protocol's records. */
  timeZone: string;
  /** Whether the account may read its data with SQL (reverse-ETL sources). */
  sqlSources: boolean;
}

const SHARED_DEFAULTS: SharedSettings = { timeZone: 'UTC', sqlSources: false };

export interface SettingsSectionDefinition<F extends Record<string, FieldSpec>> {
  /** The section's key under `settings` on the wire. */
  name: string;
  fields: F;
  /** Fills the fields whose default depends on the account (their declared default is null). */
  derive?(values: { -readonly [K in keyof F]: ValueOf<F[K]> | null }, account: AccountRef): void;
  /** Rules across the section's fields and the account's state; each issue names its field within the section. */
  rules?(values: SectionValues<F>, account: AccountState): FieldIssue[];
  /** Read-only facts shown beside the section's values in the Admin API's account bodies. */
  facts?(account: AccountState): Record<string, unknown>;
  /** Which of its fields hold settings the shared libs read. */
  shares?: { [K in keyof SharedSettings]?: keyof F & string };
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

/** One protocol's settings: its fields, defaults and rules, and its values in force for an account. */
export class SettingsSection<F extends Record<string, FieldSpec> = Record<string, FieldSpec>> {
  /**
   * Values per stored settings object: a cached Principal keeps its object until the account changes, and a page
   * asked for them once per row (4 % of a list page's CPU). Frozen, since every caller shares them.
   */
  private readonly merged = new WeakMap<StoredSettings, { slug: string; plan: AccountPlan; values: SectionValues<F> }>();

  constructor(readonly definition: SettingsSectionDefinition<F>) {}

  get name(): string {
    return this.definition.name;
  }

  /** The values in force: what was set, else the default (some defaults depend on the account's plan and slug). */
  read(stored: StoredSettings, account: AccountRef): SectionValues<F> {
    const known = this.merged.get(stored);
    if (known && known.slug === account.slug && known.plan === account.plan) return known.values;
    const given = stored[this.name] ?? {};
    const values: Record<string, unknown> = {};
    for (const [field, spec] of Object.entries(this.definition.fields)) values[field] = field in given ? given[field] : spec.default;
    this.definition.derive?.(values as Parameters<NonNullable<SettingsSectionDefinition<F>['derive']>>[0], account);
    const frozen = Object.freeze(values) as SectionValues<F>;
    this.merged.set(stored, { slug: account.slug, plan: account.plan, values: frozen });
    return frozen;
  }

  /** The values in force for the caller's account (from its cached Principal). */
  of(p: SettingsOwner): SectionValues<F> {
    return this.read(p.accountSettings, { slug: p.accountSlug, plan: p.accountPlan });
  }

  /** A patch of this section merged into its stored fields; issues name `settings.<section>.<field>`. */
  merge(stored: Record<string, unknown> | undefined, patch: unknown, issues: FieldIssue[]): Record<string, unknown> | undefined {
    if (patch === null) return undefined;
    if (!isPlainObject(patch)) {
      issues.push({ field: `settings.${this.name}`, issue: 'must be an object' });
      return stored;
    }
    const target = { ...(stored ?? {}) };
    for (const [field, value] of Object.entries(patch)) {
      const spec = this.definition.fields[field] as FieldSpec | undefined;
      if (!spec) {
        issues.push({ field: `settings.${this.name}.${field}`, issue: 'unknown setting' });
        continue;
      }
      if (value === null) {
        delete target[field];
        continue;
      }
      const problem = checkValue(spec, value);
      if (problem) issues.push({ field: `settings.${this.name}.${field}`, issue: problem });
      else target[field] = value;
    }
    return Object.keys(target).length ? target : undefined;
  }

  /** The rules' issues for these stored settings, fields named `settings.<section>.<field>`. */
  broken(stored: StoredSettings, account: AccountState): FieldIssue[] {
    return (this.definition.rules?.(this.read(stored, account), account) ?? []).map((i) => ({
      ...i,
      field: `settings.${this.name}.${i.field}`,
    }));
  }
}

/** Declares a protocol's settings section (see `SettingsSectionDefinition`). */
export function settingsSection<const F extends Record<string, FieldSpec>>(definition: SettingsSectionDefinition<F>): SettingsSection<F> {
  return new SettingsSection(definition);
}

/** Every registered section: the Admin API's validation and bodies, and the settings the shared libs read. */
export class SettingsRegistry {
  private readonly byName = new Map<string, SettingsSection>();
  private readonly shared = new Map<keyof SharedSettings, { section: SettingsSection; field: string }>();

  constructor(sections: readonly SettingsSection[]) {
    for (const section of sections) {
      if (this.byName.has(section.name)) throw new Error(`two settings sections are named ${section.name}`);
      this.byName.set(section.name, section);
      for (const [key, field] of Object.entries(section.definition.shares ?? {}) as [keyof SharedSettings, string][]) {
        if (this.shared.has(key)) throw new Error(`two settings sections share ${key}`);
        this.shared.set(key, { section, field });
      }
    }
  }

  get sections(): SettingsSection[] {
    return [...this.byName.values()];
  }

  /**
   * Merges a settings patch into the stored (sparse) settings: field by field, `null` resets a field (or a whole
   * section) to its default. Throws INVALID naming every bad field; the stored value is never half-changed.
   */
  merge(stored: StoredSettings, patch: unknown): StoredSettings {
    if (!isPlainObject(patch)) throw DomainError.invalid([{ field: 'settings', issue: 'must be an object' }]);
    const issues: FieldIssue[] = [];
    const next: StoredSettings = structuredClone(stored);
    for (const [name, fields] of Object.entries(patch)) {
      const section = this.byName.get(name);
      if (!section) {
        issues.push({ field: `settings.${name}`, issue: 'unknown setting' });
        continue;
      }
      const merged = section.merge(next[name], fields, issues);
      if (merged) next[name] = merged;
      else delete next[name];
    }
    if (issues.length) throw DomainError.invalid(issues, 'invalid settings');
    return next;
  }

  /** The rules across settings and the account's state that these settings break (none: an empty list). */
  broken(stored: StoredSettings, account: AccountState): FieldIssue[] {
    return this.sections.flatMap((s) => s.broken(stored, account));
  }

  /** Throws INVALID when the settings break a rule (checked when they change; the merge checks each field alone). */
  check(stored: StoredSettings, account: AccountState): void {
    const issues = this.broken(stored, account);
    if (issues.length) throw DomainError.invalid(issues, 'invalid settings');
  }

  /** Every section's values in force with its read-only facts beside them: the Admin API's `settings`. */
  shown(stored: StoredSettings, account: AccountState): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const s of this.sections) out[s.name] = { ...s.read(stored, account), ...s.definition.facts?.(account) };
    return out;
  }

  /** A setting the shared libs read, for an account (its default when no section holds it). */
  read<K extends keyof SharedSettings>(key: K, stored: StoredSettings, account: AccountRef): SharedSettings[K] {
    const holder = this.shared.get(key);
    if (!holder) return SHARED_DEFAULTS[key];
    return (holder.section.read(stored, account) as Record<string, unknown>)[holder.field] as SharedSettings[K];
  }

  /** The same for the caller's account. */
  of<K extends keyof SharedSettings>(key: K, p: SettingsOwner): SharedSettings[K] {
    return this.read(key, p.accountSettings, { slug: p.accountSlug, plan: p.accountPlan });
  }
}
