/** PostgreSQL type OIDs the reverse ETL renders specially; everything else travels as its text form. */
export const PG_TYPE = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  json: 114,
  float4: 700,
  float8: 701,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
} as const;

/** Columns a watermark may be kept on (time or number), with the cast its text form is compared through. */
export const WATERMARK_TYPES: Record<number, string> = {
  [PG_TYPE.int2]: 'int2',
  [PG_TYPE.int4]: 'int4',
  [PG_TYPE.int8]: 'int8',
  [PG_TYPE.numeric]: 'numeric',
  [PG_TYPE.float4]: 'float4',
  [PG_TYPE.float8]: 'float8',
  [PG_TYPE.date]: 'date',
  [PG_TYPE.timestamp]: 'timestamp',
  [PG_TYPE.timestamptz]: 'timestamptz',
};

/** A node-postgres `types` override: every value as PostgreSQL's own text, so that nothing is rounded on the way. */
export const RAW_TEXT_TYPES = { getTypeParser: () => (value: string) => value };

/**
 * `2025-11-22 10:14:58.120456+00` (with TimeZone UTC) → `2025-11-22T10:14:58.120456Z`, at least milliseconds, every
 * digit PostgreSQL gave kept. Timestamps without a zone are read as UTC.
 */
export function isoTimestamp(text: string): string {
  const m = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)?(?:([+-]\d\d)(?::?(\d\d))?)?$/.exec(text);
  if (!m) return text; // infinity, BC dates: as PostgreSQL writes them
  const fraction = (m[3] ?? '.').padEnd(4, '0');
  if (m[4] && (m[4] !== '+00' || (m[5] && m[5] !== '00'))) {
    const d = new Date(`${m[1]}T${m[2]}${m[4]}:${m[5] ?? '00'}`);
    return `${d.toISOString().slice(0, 19)}${fraction}Z`;
  }
  return `${m[1]}T${m[2]}${fraction}Z`;
}

/** One source value as the wire carries it (docs/reverse-etl.md). */
export function fromPgText(text: string | null, oid: number): unknown {
  if (text === null) return null;
  switch (oid) {
    case PG_TYPE.bool:
      return text === 't' || text === 'true';
    case PG_TYPE.int2:
    case PG_TYPE.int4:
      return Number(text);
    case PG_TYPE.int8: {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : text;
    }
    case PG_TYPE.numeric:
    case PG_TYPE.float4:
    case PG_TYPE.float8: {
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case PG_TYPE.timestamp:
    case PG_TYPE.timestamptz:
      return isoTimestamp(text);
    case PG_TYPE.json:
    case PG_TYPE.jsonb:
      return JSON.parse(text) as unknown;
    default:
      return text;
  }
}

/** The watermark of a row: its column's text at full precision (timestamps in the ISO form above). */
export function watermarkText(text: string | null, oid: number): string | null {
  if (text === null) return null;
  return oid === PG_TYPE.timestamp || oid === PG_TYPE.timestamptz ? isoTimestamp(text) : text;
}

export type DataType = 'string' | 'integer' | 'number' | 'boolean' | 'datetime' | 'date' | 'json';
export const DATA_TYPES: readonly DataType[] = ['string', 'integer', 'number', 'boolean', 'datetime', 'date', 'json'];

export interface DeclaredField {
  name: string;
  type: DataType;
  required?: boolean;
  isIdentifier?: boolean;
  maxLength?: number;
}

export type Coerced =
  { ok: true; value: unknown } | { ok: false; code: 'type_coercion_failed' | 'missing_required_value'; message: string };

/** A mapped value made to fit a declared webhook field: misfits are dead-lettered, never sent (docs/reverse-etl.md). */
export function coerce(value: unknown, field: DeclaredField): Coerced {
  const fail = (why: string): Coerced => ({ ok: false, code: 'type_coercion_failed', message: `${field.name}: ${why}` });
  if (value === null || value === undefined) {
    return field.required ? { ok: false, code: 'missing_required_value', message: `${field.name} is required` } : { ok: true, value: null };
  }
  switch (field.type) {
    case 'string': {
      const s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
      if (field.maxLength !== undefined && s.length > field.maxLength) return fail(`longer than ${field.maxLength} characters`);
      return { ok: true, value: s };
    }
    case 'integer': {
      if (typeof value === 'number' && Number.isInteger(value)) return { ok: true, value };
      if (typeof value === 'string' && /^-?\d{1,30}$/.test(value.trim())) {
        const n = Number(value.trim());
        return { ok: true, value: Number.isSafeInteger(n) ? n : value.trim() };
      }
      return fail('not an integer');
    }
    case 'number': {
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return { ok: true, value: Number(value) };
      return fail('not a number');
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 1 || value === 0) return { ok: true, value: value === 1 };
      if (typeof value === 'string' && /^(true|false|t|f|yes|no|1|0)$/i.test(value.trim()))
        return { ok: true, value: /^(true|t|yes|1)$/i.test(value.trim()) };
      return fail('not a boolean');
    }
    case 'datetime': {
      if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\d/.test(value) || Number.isNaN(Date.parse(value)))
        return fail('not a date and time');
      return { ok: true, value: /Z$/.test(value) ? value : new Date(value).toISOString() };
    }
    case 'date': {
      if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\d/.test(value) || Number.isNaN(Date.parse(value.slice(0, 10))))
        return fail('not a date');
      return { ok: true, value: value.slice(0, 10) };
    }
    case 'json':
      return { ok: true, value };
  }
}

/** The mapped row as the DLQ shows it: strings cut at 1,000 characters. */
export function preview(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'string' && v.length > 1000 ? v.slice(0, 1000) : v;
  return out;
}
