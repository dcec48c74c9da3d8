import { DomainError, type FieldIssue, type IssueType } from '#errors';

/**
 * FastAPI's 422 items (pydantic v2): `{type, loc, msg, input, ctx?}`. Validators collect every problem of a request
 * and throw them together, as FastAPI lists them all.
 */
export type Loc = (string | number)[];

export class Issues {
  private readonly items: FieldIssue[] = [];

  add(type: IssueType, loc: Loc, msg: string, input: unknown, ctx?: Record<string, unknown>): void {
    this.items.push({ field: loc.join('.'), issue: msg, type, loc, input, ...(ctx ? { ctx } : {}) });
  }

  missing(loc: Loc, input: unknown): void {
    this.add('missing', loc, 'Field required', input);
  }

  intParsing(loc: Loc, input: unknown): void {
    this.add('int_parsing', loc, 'Input should be a valid integer, unable to parse string as an integer', input);
  }

  floatParsing(loc: Loc, input: unknown): void {
    this.add('float_parsing', loc, 'Input should be a valid number, unable to parse string as a number', input);
  }

  stringType(loc: Loc, input: unknown): void {
    this.add('string_type', loc, 'Input should be a valid string', input);
  }

  ge(loc: Loc, input: unknown, ge: number): void {
    this.add('greater_than_equal', loc, `Input should be greater than or equal to ${ge}`, input, { ge });
  }

  le(loc: Loc, input: unknown, le: number): void {
    this.add('less_than_equal', loc, `Input should be less than or equal to ${le}`, input, { le });
  }

  tooShort(loc: Loc, input: unknown, min: number): void {
    this.add('string_too_short', loc, `String should have at least ${min} character${min === 1 ? '' : 's'}`, input, { min_length: min });
  }

  tooLong(loc: Loc, input: unknown, max: number): void {
    this.add('string_too_long', loc, `String should have at most ${max} characters`, input, { max_length: max });
  }

  enumeration(loc: Loc, input: unknown, values: readonly string[]): void {
    const expected =
      values.length === 1
        ? `'${values[0]}'`
        : `${values
            .slice(0, -1)
            .map((v) => `'${v}'`)
            .join(', ')} or '${values[values.length - 1]}'`;
    this.add('enum', loc, `Input should be ${expected}`, input, { expected });
  }

  valueError(loc: Loc, input: unknown, error: string): void {
    this.add('value_error', loc, `Value error, ${error}`, input, { error });
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  /** Throws every collected problem as one INVALID, if there is any. */
  throwIfAny(): void {
    if (this.items.length) throw DomainError.invalid(this.items, 'validation failed');
  }
}

/** A string field: trimmed, within length bounds; records the pydantic error and returns undefined otherwise. */
export function stringField(issues: Issues, loc: Loc, value: unknown, min: number, max: number): string | undefined {
  if (typeof value !== 'string') {
    issues.stringType(loc, value);
    return undefined;
  }
  const trimmed = value.trim();
  if (trimmed.length < min) issues.tooShort(loc, value, min);
  else if (trimmed.length > max) issues.tooLong(loc, value, max);
  else return trimmed;
  return undefined;
}
