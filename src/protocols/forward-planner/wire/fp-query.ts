import { DomainError } from '#errors';
import { calendarDate, isoDate, londonWallToInstant, type EventFilters } from '#events';

function bad(message: string): DomainError {
  return DomainError.invalid([{ field: message.split(' ')[0], issue: message }], message);
}

/**
 * The query string of a request, parameter names in any case (like the vendor's .NET binding). Unknown names are
 * ignored; a known one given twice is an error.
 */
export class FpQuery {
  private readonly values = new Map<string, string[]>();

  constructor(url: string) {
    const q = url.indexOf('?');
    for (const [name, value] of new URLSearchParams(q === -1 ? '' : url.slice(q + 1))) {
      const key = name.toLowerCase();
      // appended in place: copying the list for each repeat was quadratic in a long query string
      const list = this.values.get(key);
      if (list) list.push(value);
      else this.values.set(key, [value]);
    }
  }

  /** The one value of a parameter (named as documented), or undefined. */
  one(name: string): string | undefined {
    const all = this.values.get(name.toLowerCase());
    if (!all) return undefined;
    if (all.length > 1) throw bad(`${name} must be given once`);
    return all[0];
  }
}

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
const TIME = /^([01]\d|2[0-3])([0-5]\d)$/;
const UINT = /^\d+$/;

/** `yyyyMMdd`, a real calendar date of 1900–2999, as `yyyy-MM-dd`. */
export function parseDate(q: FpQuery, name: string, required = true): string | undefined {
  const raw = q.one(name);
  if (raw === undefined) {
    if (required) throw bad(`${name} is required (a calendar date in yyyyMMdd format)`);
    return undefined;
  }
  const m = DATE.exec(raw);
  const d = m ? calendarDate(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  if (!d) throw bad(`${name} must be a calendar date in yyyyMMdd format`);
  return isoDate(d);
}

/** `latest`: `date` and `time` (HHmm, default 0000) read as Europe/London wall-clock time, as an instant. */
export function parseSince(q: FpQuery): number {
  const date = parseDate(q, 'date')!;
  const rawTime = q.one('time') ?? '0000';
  const t = TIME.exec(rawTime);
  if (!t) throw bad('time must be a time in HHmm format');
  const [y, mo, d] = date.split('-').map(Number);
  return londonWallToInstant(Date.UTC(y, mo - 1, d, Number(t[1]), Number(t[2])));
}

export const MAX_LIMIT = 5000;
export const DEFAULT_LIMIT = 100;

export function parsePaging(q: FpQuery): { offset: number; limit: number } {
  const rawLimit = q.one('limit');
  const rawOffset = q.one('offset');
  const limit = rawLimit === undefined ? DEFAULT_LIMIT : Number(rawLimit);
  if (rawLimit !== undefined && (!UINT.test(rawLimit) || limit < 1 || limit > MAX_LIMIT))
    throw bad(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  const offset = rawOffset === undefined ? 0 : Number(rawOffset);
  if (rawOffset !== undefined && (!UINT.test(rawOffset) || !Number.isSafeInteger(offset)))
    throw bad('offset must be an integer of at least 0');
  return { offset, limit };
}

function idList(q: FpQuery, name: string): number[] | undefined {
  const raw = q.one(name);
  if (raw === undefined) return undefined;
  const parts = raw.split(',');
  if (!parts.every((p) => /^\d{1,10}$/.test(p.trim()) && Number(p) >= 1 && Number(p) <= 2_147_483_647)) {
    throw bad(`${name} must be a comma-separated list of positive integers`);
  }
  return [...new Set(parts.map(Number))];
}

export function parseFilters(q: FpQuery): EventFilters {
  const filters: EventFilters = {
    categoryIds: idList(q, 'categoryId'),
    eventTypeIds: idList(q, 'eventTypeId'),
    countryIds: idList(q, 'countryId'),
  };
  const keyword = q.one('keyword')?.trim();
  if (keyword !== undefined && keyword.length > 100) throw bad('keyword must be at most 100 characters');
  if (keyword) filters.keyword = keyword;
  const headline = q.one('isHeadline')?.toLowerCase();
  if (headline !== undefined) {
    if (!['true', 'false', '1', '0'].includes(headline)) throw bad('isHeadline must be true or false');
    filters.isHeadline = headline === 'true' || headline === '1';
  }
  return filters;
}

/** `/events/{itemId}`: digits, 1–2147483647. */
export function parseItemId(raw: string): number {
  const id = Number(raw);
  if (!/^\d{1,10}$/.test(raw) || id < 1 || id > 2_147_483_647) throw bad('itemId must be an integer from 1 to 2147483647');
  return id;
}
