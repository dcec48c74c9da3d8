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

/** Parameter text for a value: jsonb values are serialized and cast. */
function placeholder(params: unknown[], value: unknown): string {
  params.push(value instanceof JsonbValue ? JSON.stringify(value.value) : value);
  return `$${params.length}${value instanceof JsonbValue ? '::jsonb' : ''}`;
}

/** Only the columns given: an undefined value leaves its column out. */
function given(columns: Record<string, unknown>): [string, unknown][] {
  return Object.entries(columns).filter(([, value]) => value !== undefined);
}

/**
 * `INSERT INTO table (column, …) VALUES ($1, …) <tail>` for the columns given (an undefined value leaves its column to
 * its default); `tail` is the caller's constant (`RETURNING …`, `ON CONFLICT …`).
 */
export function insertStatement(table: string, columns: Record<string, unknown>, tail = ''): Statement {
  const params: unknown[] = [];
  const entries = given(columns);
  const values = entries.map(([, value]) => placeholder(params, value));
  const sql = `INSERT INTO ${table} (${entries.map(([column]) => column).join(', ')}) VALUES (${values.join(', ')})`;
  return { sql: tail ? `${sql} ${tail}` : sql, params };
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
  const conditions = Object.entries(where).map(([column, value]) => `${column} = ${placeholder(params, value)}`);
  const sets = given(columns).map(([column, value]) => `${column} = ${placeholder(params, value)}`);
  if (!sets.length) return undefined;
  if (options.touch ?? true) sets.push('updated_at = clock_timestamp()');
  return { sql: `UPDATE ${table} SET ${sets.join(', ')} WHERE ${conditions.join(' AND ')}`, params };
}
