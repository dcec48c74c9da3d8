import { isDeepStrictEqual } from 'node:util';
import { type FieldIssue, type IssueType } from '#errors';

export function issue(field: string, type: IssueType, message: string): FieldIssue {
  return { field, type, issue: message };
}

export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Reads one field under its canonical camelCase name, its snake_case spelling and listed alternatives
 * (docs/reverse-etl.md): two spellings with different values → `duplicate_field`; `details[].field` is canonical.
 */
export function pick(body: Record<string, unknown>, canonical: string, aliases: string[], issues: FieldIssue[], prefix = ''): unknown {
  const spellings = [canonical, camelToSnake(canonical), ...aliases].filter((s, i, all) => all.indexOf(s) === i);
  let value: unknown;
  let seen: string | undefined;
  for (const s of spellings) {
    if (!(s in body) || body[s] === undefined) continue;
    if (seen === undefined) {
      seen = s;
      value = body[s];
    } else if (!isDeepStrictEqual(body[s], value)) {
      issues.push(issue(prefix + canonical, 'duplicate_field', `'${seen}' and '${s}' give different values`));
      return undefined;
    }
  }
  return value;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
