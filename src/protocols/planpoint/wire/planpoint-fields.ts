import { DomainError } from '#errors';
import { isObjectId } from '#projects';

/** A 400 with the message the client sees (docs/planpoint.md: `<field> must be …`). */
export function invalid(message: string, field = message.split(' ')[0]): DomainError {
  return DomainError.invalid([{ field, issue: message }], message);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A path or query id: 24 hex characters, any case (answers use lower case); else 400 `Invalid id`. */
export function parseId(value: unknown): string {
  if (!isObjectId(value)) throw invalid('Invalid id', 'id');
  return value.toLowerCase();
}

/** `pid` of the list endpoints: required (400 `pid is required`), then an id. */
export function parsePid(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('pid is required', 'pid');
  return parseId(value.trim());
}

/** `{_id}` or a bare id (create bodies naming their parent); undefined when absent. */
export function parseRef(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const id = isPlainObject(value) ? value._id : value;
  if (!isObjectId(id)) throw invalid(`${field} must be an id or {_id}`, field);
  return id.toLowerCase();
}

/** Typed readers over one JSON object body: absent → undefined, `null` → null where allowed, else a 400. */
export class Fields {
  constructor(readonly body: Record<string, unknown>) {}

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.body, key) && this.body[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.has(key) ? this.body[key] : undefined;
  }

  string(key: string, max: number, min = 0): string | null | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return v as null | undefined;
    if (typeof v !== 'string' || v.length > max || v.trim().length < min)
      throw invalid(`${key} must be a string of ${min ? `${min} to ` : 'up to '}${max} characters`, key);
    return v;
  }

  /** Numbers or numeric strings (`"350000"`), finite, ≥ 0 unless signed. */
  number(key: string, signed = false): number | null | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return v as null | undefined;
    const n = toNumber(v);
    if (n === undefined || (!signed && n < 0)) throw invalid(`${key} must be a ${signed ? '' : 'non-negative '}number`, key);
    return n;
  }

  boolean(key: string): boolean | null | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return v as null | undefined;
    if (typeof v !== 'boolean') throw invalid(`${key} must be a boolean`, key);
    return v;
  }

  strings(key: string, maxItems: number, maxLength: number): string[] | null | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return v as null | undefined;
    if (!Array.isArray(v) || v.length > maxItems || v.some((s) => typeof s !== 'string' || s.length > maxLength)) {
      throw invalid(`${key} must be a list of at most ${maxItems} strings`, key);
    }
    return v as string[];
  }

  /** ISO 8601 with `Z` or an offset, or a bare date (midnight UTC). */
  date(key: string): Date | null | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return v as null | undefined;
    const d = typeof v === 'string' ? parseDate(v) : undefined;
    if (!d) throw invalid(`${key} must be an ISO 8601 date`, key);
    return d;
  }
}

export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function parseDate(s: string): Date | undefined {
  if (!DATE_ONLY.test(s) && !DATE_TIME.test(s)) return undefined;
  const d = new Date(DATE_ONLY.test(s) ? `${s}T00:00:00Z` : s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The JSON size of a value in bytes (limits on free-form documents). */
export function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v) ?? '');
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export function isEmail(s: string): boolean {
  return s.length <= 254 && EMAIL.test(s);
}
