/** A column value stored as `jsonb`: serialized here, cast in the statement (a bare parameter would be read as text). */
export class JsonbValue {
  constructor(readonly value: unknown) {}
}

export function jsonb(value: unknown): JsonbValue {
  return new JsonbValue(value);
}

export interface Statement {
  sql: string;
  params: unknown[];
}

export interface UpdateOptions {
  /** Also sets `updated_at = clock_timestamp()` (default): every record that shows when it changed has one. */
  touch?: boolean;
}

/**
 * `UPDATE table SET column = $n, … WHERE key = $1 AND …` for the columns given. An undefined value is left out (an
 * absent input keeps the stored value, `null` clears it), so a patch maps field by field; with no column left there
 * is nothing to write and the answer is undefined (`updated_at` stays as it was).
 *
 * Table and column names are the caller's constants, never input: only values become parameters.
 */
export function updateStatement(
  table: string,
  where: Record<string, unknown>,
  columns: Record<string, unknown>,
  options: UpdateOptions = {},
): Statement | undefined {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value instanceof JsonbValue ? JSON.stringify(value.value) : value);
    return `$${params.length}${value instanceof JsonbValue ? '::jsonb' : ''}`;
  };
  const conditions = Object.entries(where).map(([column, value]) => `${column} = ${param(value)}`);
  const sets = Object.entries(columns)
    .filter(([, value]) => value !== undefined)
    .map(([column, value]) => `${column} = ${param(value)}`);
  if (!sets.length) return undefined;
  if (options.touch ?? true) sets.push('updated_at = clock_timestamp()');
  return { sql: `UPDATE ${table} SET ${sets.join(', ')} WHERE ${conditions.join(' AND ')}`, params };
}
