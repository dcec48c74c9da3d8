import { DomainError } from '#errors';
import { type StoreService, type Tx } from '#store';
import { ISSUE } from './issues.js';

export const SLUG_MAX = 63;

/**
 * The one host-name rule: a letter or digit, then up to 62 characters of `alphabet` (a character-class body such as
 * `a-z0-9-`). The alphabet is data because each protocol publishes its own (docs/<protocol>.md) and a client must
 * keep being refused exactly what it was refused before; the length, the first character and the rest are the same.
 */
export function hostNamePattern(alphabet: string): RegExp {
  return new RegExp(`^[a-z0-9][${alphabet}]{0,${SLUG_MAX - 1}}$`);
}

/** What `slugify` and `freeSlug` make: letters, digits and inner hyphens, which every protocol's alphabet admits. */
export const HOST_NAME_PATTERN = hostNamePattern('a-z0-9-');

/** A host name the caller chose, with the pattern of the protocol it came through. */
export interface ExplicitHostName {
  value: string;
  pattern: RegExp;
}

/** Where a kind of record keeps its host name: unique per account and kind. */
export type HostNameColumn = { table: 'projects'; column: 'slug' } | { table: 'groups' | 'enterprises'; column: 'host_name' };

/** NFKD, ASCII letters and digits kept, lower-cased, other runs → `-`, trimmed, at most 63; may be empty. */
export function slugify(title: string): string {
  return (
    title
      .normalize('NFKD')
      // eslint-disable-next-line no-control-regex -- the range of ASCII itself, control characters included
      .replace(/[^\x00-\x7f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, SLUG_MAX)
      .replace(/-+$/g, '')
  );
}

/** `base`, else `base-2`, `base-3`… (shortened so the suffix fits), the first one not in `taken`. */
export function freeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, SLUG_MAX - suffix.length).replace(/-+$/g, '')}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A derived host name: `base`, else the first free `base-2`, `base-3`… (the caller holds a lock that orders creations). */
export async function freeHostName(store: StoreService, tx: Tx, where: HostNameColumn, accountId: string, base: string): Promise<string> {
  const rows = await store.query<{ v: string }>(
    `SELECT ${where.column} AS v FROM ${where.table} WHERE account_id = $1 AND (${where.column} = $2 OR ${where.column} LIKE $3)`,
    [accountId, base, `${base.slice(0, 50).replace(/[%_\\]/g, '\\$&')}%`],
    tx,
  );
  return freeSlug(base, new Set(rows.map((r) => r.v)));
}

/**
 * An explicit host name, trimmed and lower-cased: its pattern (else INVALID, "not allowed here") and free in the
 * account among its kind, `selfId` aside (else CONFLICT).
 */
export async function claimHostName(
  store: StoreService,
  tx: Tx,
  where: HostNameColumn,
  accountId: string,
  hostName: ExplicitHostName,
  selfId: number | null,
): Promise<string> {
  const value = hostName.value.trim().toLowerCase();
  if (!hostName.pattern.test(value)) {
    const rule = `must match ${hostName.pattern.source}`;
    throw DomainError.invalid([{ field: 'hostName', issue: rule, type: ISSUE.notAllowed }], `hostName ${rule}`);
  }
  const [taken] = await store.query<{ id: string }>(
    `SELECT id FROM ${where.table} WHERE account_id = $1 AND ${where.column} = $2`,
    [accountId, value],
    tx,
  );
  if (taken && Number(taken.id) !== selfId)
    throw new DomainError('CONFLICT', 'hostName already in use', { fields: [{ field: 'hostName', issue: 'already exists' }] });
  return value;
}
