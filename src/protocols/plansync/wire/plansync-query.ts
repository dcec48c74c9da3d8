import { USER_ROLES } from '#store';
import { type Issues, type Loc } from './pydantic-issues.js';

type Query = Record<string, unknown>;

/** The last value of a query parameter (FastAPI takes the last of repeated scalars); undefined if absent. */
export function queryValue(query: Query, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return v === undefined ? undefined : String(v);
}

/** `year`: a required integer 1900–2100. */
export function parseYear(issues: Issues, query: Query): number | undefined {
  const loc: Loc = ['query', 'year'];
  const raw = queryValue(query, 'year');
  if (raw === undefined) {
    issues.missing(loc, null);
    return undefined;
  }
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) {
    issues.intParsing(loc, raw);
    return undefined;
  }
  const year = Number(raw);
  if (year < 1900) issues.ge(loc, raw, 1900);
  else if (year > 2100) issues.le(loc, raw, 2100);
  else return year;
  return undefined;
}

/** `role`: one of the five, case-insensitive; undefined when absent. */
export function parseRole(issues: Issues, query: Query): string | undefined {
  const raw = queryValue(query, 'role');
  if (raw === undefined) return undefined;
  const role = USER_ROLES.find((r) => r === raw.trim().toLowerCase());
  if (!role) issues.enumeration(['query', 'role'], raw, USER_ROLES);
  return role;
}

/** `assigned_clients`: a URL-encoded JSON array of at most 500 strings of 1–255 characters. */
export function parseAssignedClients(issues: Issues, query: Query): string[] | undefined {
  const raw = queryValue(query, 'assigned_clients');
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length <= 500 &&
    parsed.every((v) => typeof v === 'string' && v.trim().length >= 1 && v.trim().length <= 255);
  if (!ok) {
    issues.valueError(
      ['query', 'assigned_clients'],
      raw,
      'assigned_clients must be a JSON array of at most 500 strings of 1 to 255 characters',
    );
    return undefined;
  }
  return (parsed as string[]).map((v) => v.trim());
}

/** An optional free-text filter. */
export function optionalText(query: Query, name: string): string | undefined {
  const v = queryValue(query, name);
  return v === undefined || v === '' ? undefined : v;
}
