import { DomainError, type FieldIssue, type IssueType } from '#errors';
import { camelToSnake, type PageRequest } from '#syncs';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

function snakeToCamel(name: string): string {
  return name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Query values of the reverse-ETL API (docs/reverse-etl.md): names snake_case (camelCase accepted), booleans
 * `true|false|1|0`, times ISO 8601 with any offset, `limit` 1–200, an opaque `cursor`. A bad or missing value is a
 * 400 `invalid_request` naming each parameter.
 */
export class RetlQuery {
  private readonly issues: FieldIssue[] = [];

  constructor(private readonly query: Record<string, unknown>) {}

  private bad(name: string, type: IssueType, message: string): undefined {
    this.issues.push({ field: name, type, issue: message, loc: ['query', name] });
    return undefined;
  }

  /** The raw value under the snake_case name, its camelCase spelling or an alias; repeated → the first. */
  raw(name: string, aliases: string[] = []): string | undefined {
    for (const n of [name, snakeToCamel(name), camelToSnake(name), ...aliases]) {
      const v = this.query[n];
      if (v === undefined) continue;
      const s = Array.isArray(v) ? v[0] : v;
      return typeof s === 'string' ? s : undefined;
    }
    return undefined;
  }

  text(name: string, aliases: string[] = [], max = 256): string | undefined {
    const v = this.raw(name, aliases);
    if (v === undefined || v === '') return undefined;
    if (v.length > max) return this.bad(name, 'invalid_value', `at most ${max} characters`);
    return v;
  }

  required(name: string, aliases: string[] = []): string | undefined {
    const v = this.text(name, aliases);
    if (v === undefined && !this.issues.some((i) => i.field === name)) return this.bad(name, 'missing', 'required');
    return v;
  }

  bool(name: string, fallback?: boolean): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') return fallback;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    return this.bad(name, 'invalid_value', 'must be true, false, 1 or 0');
  }

  time(name: string): Date | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') return undefined;
    if (!/^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(v) || Number.isNaN(Date.parse(v))) {
      return this.bad(name, 'invalid_value', 'must be an ISO 8601 time such as 2025-11-22T10:15:00Z');
    }
    return new Date(v);
  }

  oneOf<T extends string>(name: string, values: readonly T[], aliases: string[] = []): T | undefined {
    const v = this.text(name, aliases);
    if (v === undefined) return undefined;
    if (!values.includes(v as T)) return this.bad(name, 'invalid_value', `must be one of ${values.join(', ')}`);
    return v as T;
  }

  page(): PageRequest {
    const raw = this.raw('limit');
    let limit = DEFAULT_LIMIT;
    if (raw !== undefined) {
      if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT)
        this.bad('limit', 'invalid_value', `must be an integer from 1 to ${MAX_LIMIT}`);
      else limit = Number(raw);
    }
    const cursor = this.raw('cursor');
    return { limit, after: cursor === undefined || cursor === '' ? undefined : cursor };
  }

  /** Throws 400 `invalid_request` naming every bad parameter. */
  done(): void {
    if (this.issues.length) {
      throw new DomainError('MALFORMED', `${this.issues.length} query parameter${this.issues.length === 1 ? ' is' : 's are'} invalid`, {
        fields: this.issues,
      });
    }
  }
}
