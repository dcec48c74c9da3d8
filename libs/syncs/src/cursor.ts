import { createHash } from 'node:crypto';
import { DomainError } from '#errors';

/** A list's page request: 1–200 rows after an opaque keyset position (docs/reverse-etl.md). */
export interface PageRequest {
  limit: number;
  /** The last key of the previous page, or undefined for the first page. */
  after?: string;
}

export interface Page<T> {
  rows: T[];
  limit: number;
  /** Null on the last page (MUST). */
  cursor: string | null;
}

interface CursorBody {
  v: 1;
  k: string;
  /** A fingerprint of the list's filters: another list's or other filters' cursor is refused. */
  f: string;
  after: string;
}

export function filterFingerprint(filters: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(filters)
      .sort()
      .map((k) => [k, filters[k] ?? null]),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 10);
}

export function encodeCursor(list: string, filters: Record<string, unknown>, after: string): string {
  const body: CursorBody = { v: 1, k: list, f: filterFingerprint(filters), after };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function badCursor(): DomainError {
  return new DomainError('MALFORMED', 'the cursor is not valid for this list', {
    fields: [{ field: 'cursor', issue: 'not a cursor of this list with these filters', type: 'invalid_cursor', loc: ['query', 'cursor'] }],
  });
}

/** The keyset position of a cursor; garbage, another list's cursor or one made with other filters → 400. */
export function decodeCursor(list: string, filters: Record<string, unknown>, cursor: string): string {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw badCursor();
  let body: Partial<CursorBody>;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    throw badCursor();
  }
  if (typeof body !== 'object' || body === null || body.v !== 1 || body.k !== list || typeof body.after !== 'string') throw badCursor();
  if (body.f !== filterFingerprint(filters)) throw badCursor();
  return body.after;
}

/** Turns `limit + 1` fetched rows into a page: the extra row only says that another page follows. */
export function toPage<T>(list: string, filters: Record<string, unknown>, fetched: T[], limit: number, keyOf: (row: T) => string): Page<T> {
  const rows = fetched.slice(0, limit);
  const more = fetched.length > limit;
  return { rows, limit, cursor: more && rows.length ? encodeCursor(list, filters, keyOf(rows[rows.length - 1])) : null };
}
