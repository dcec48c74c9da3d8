import { DomainError } from '#errors';
import { QUARTERS, type Quarter, type TouchpointFields } from '#planning';
import { Issues, stringField, type Loc } from './pydantic-issues.js';

const YES_NO = ['Yes', 'No'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

type Parsers = { [K in keyof TouchpointFields]: (issues: Issues, loc: Loc, v: unknown) => TouchpointFields[K] | undefined };

/** Each field's rule (docs/plansync.md): canonical form out, one pydantic item per problem. */
const FIELDS: Parsers = {
  companyName: (issues, loc, v) => stringField(issues, loc, v, 1, 255),
  touchpoints: (issues, loc, v) => stringField(issues, loc, v, 1, 5000),
  reportingQuarter: (issues, loc, v) => {
    const q = typeof v === 'string' ? QUARTERS.find((x) => x.toLowerCase() === v.trim().toLowerCase()) : undefined;
    if (!q) issues.enumeration(loc, v, QUARTERS);
    return q as Quarter | undefined;
  },
  reportingYear: (issues, loc, v) => {
    const s = typeof v === 'number' && Number.isInteger(v) ? String(v) : typeof v === 'string' ? v.trim() : undefined;
    if (s === undefined) {
      issues.stringType(loc, v);
      return undefined;
    }
    if (!/^\d{4}$/.test(s)) {
      issues.valueError(loc, v, 'reporting_year must be four digits, such as "2025"');
      return undefined;
    }
    return s;
  },
  stakeholders: (issues, loc, v) => {
    if (v === null) return null;
    const s = Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.map((x: string) => x.trim()).join(', ') : v;
    if (typeof s !== 'string') {
      issues.stringType(loc, v);
      return undefined;
    }
    if (s.length > 500) {
      issues.tooLong(loc, v, 500);
      return undefined;
    }
    return s.trim() === '' ? null : s.trim();
  },
  date: (issues, loc, v) => {
    if (typeof v !== 'string') {
      issues.stringType(loc, v);
      return undefined;
    }
    if (!isIsoDate(v.trim())) {
      issues.valueError(loc, v, 'date must be a real date written YYYY-MM-DD');
      return undefined;
    }
    return v.trim();
  },
  timeSpent: (issues, loc, v) => {
    if (v === null) return null;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(v) ? Number(v) : NaN;
    if (typeof v === 'boolean' || !Number.isFinite(n)) {
      issues.floatParsing(loc, v);
      return undefined;
    }
    if (n < 0) issues.ge(loc, v, 0);
    else if (n > 100_000) issues.le(loc, v, 100_000);
    else return n;
    return undefined;
  },
  includeInAnnualReviewReport: (issues, loc, v) => {
    const yn = typeof v === 'string' ? YES_NO.find((x) => x.toLowerCase() === v.trim().toLowerCase()) : undefined;
    if (!yn) issues.enumeration(loc, v, YES_NO);
    return yn;
  },
};

/** Wire names in the order FastAPI would report them. */
const WIRE: [keyof TouchpointFields, string][] = [
  ['companyName', 'company_name'],
  ['touchpoints', 'touchpoints'],
  ['reportingQuarter', 'reporting_quarter'],
  ['reportingYear', 'reporting_year'],
  ['stakeholders', 'stakeholders'],
  ['date', 'date'],
  ['timeSpent', 'time_spent'],
  ['includeInAnnualReviewReport', 'include_in_annual_review_report'],
];
const REQUIRED = new Set(['company_name', 'touchpoints', 'reporting_quarter', 'reporting_year']);
const NULLABLE = new Set(['stakeholders', 'time_spent']);

function requireObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) {
    throw DomainError.invalid([
      {
        field: 'body',
        issue: 'Input should be a valid dictionary or object to extract fields from',
        type: 'model_attributes_type',
        loc: ['body'],
        input: body ?? null,
      },
    ]);
  }
  return body;
}

/** A create body: required fields present, every field valid, defaults filled. Unknown fields are ignored. */
export function parseTouchpointCreate(body: unknown): TouchpointFields {
  const obj = requireObject(body);
  const issues = new Issues();
  const out: Partial<Record<keyof TouchpointFields, unknown>> = {};
  for (const [key, wire] of WIRE) {
    const loc: Loc = ['body', wire];
    if (!(wire in obj) || (obj[wire] === null && !NULLABLE.has(wire))) {
      if (REQUIRED.has(wire)) {
        if (wire in obj) issues.stringType(loc, null);
        else issues.missing(loc, obj);
      }
      continue;
    }
    out[key] = FIELDS[key](issues, loc, obj[wire]);
  }
  issues.throwIfAny();
  return {
    companyName: out.companyName as string,
    touchpoints: out.touchpoints as string,
    reportingQuarter: out.reportingQuarter as Quarter,
    reportingYear: out.reportingYear as string,
    stakeholders: (out.stakeholders as string | null | undefined) ?? null,
    date: (out.date as string | undefined) ?? todayUtc(),
    timeSpent: (out.timeSpent as number | null | undefined) ?? null,
    includeInAnnualReviewReport: (out.includeInAnnualReviewReport as 'Yes' | 'No' | undefined) ?? 'No',
  };
}

/**
 * An update body: every field optional; `null` clears `stakeholders` or `time_spent` and is refused for the
 * others. Returns only the fields sent; none at all is "No fields to update" (400).
 */
export function parseTouchpointUpdate(body: unknown): Partial<TouchpointFields> {
  const obj = requireObject(body);
  const issues = new Issues();
  const out: Partial<TouchpointFields> = {};
  for (const [key, wire] of WIRE) {
    if (!(wire in obj)) continue;
    const loc: Loc = ['body', wire];
    if (obj[wire] === null && !NULLABLE.has(wire)) {
      issues.stringType(loc, null);
      continue;
    }
    const value = FIELDS[key](issues, loc, obj[wire]);
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  issues.throwIfAny();
  if (Object.keys(out).length === 0) throw DomainError.invalid([], 'No fields to update');
  return out;
}
