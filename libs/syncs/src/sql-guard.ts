import { loadModule, parseSync } from 'libpg-query';
import { ALLOWED_FUNCTIONS, ALLOWED_TYPES } from './sql-functions.js';

/** The longest `sourceQuery` (docs/reverse-etl.md). */
export const MAX_SOURCE_QUERY = 20_000;

export type SqlIssue =
  | 'missing'
  | 'too_long'
  | 'syntax_error'
  | 'multiple_statements'
  | 'not_a_select'
  | 'forbidden_relation'
  | 'forbidden_function'
  | 'forbidden_construct';

export interface SqlRefusal {
  issue: SqlIssue;
  message: string;
}

/** When one text breaks several rules, the first of these is named. */
const PRIORITY: SqlIssue[] = ['multiple_statements', 'not_a_select', 'forbidden_relation', 'forbidden_function', 'forbidden_construct'];

const ALLOWED_VALUE_FUNCTIONS = new Set([
  'SVFOP_CURRENT_DATE',
  'SVFOP_CURRENT_TIME',
  'SVFOP_CURRENT_TIME_N',
  'SVFOP_CURRENT_TIMESTAMP',
  'SVFOP_CURRENT_TIMESTAMP_N',
  'SVFOP_LOCALTIME',
  'SVFOP_LOCALTIME_N',
  'SVFOP_LOCALTIMESTAMP',
  'SVFOP_LOCALTIMESTAMP_N',
]);
const CONSTRUCTS: Record<string, string> = {
  RangeFunction: 'functions in FROM are not allowed',
  RangeTableSample: 'TABLESAMPLE is not allowed',
  RangeTableFunc: 'XMLTABLE is not allowed',
  JsonTable: 'JSON_TABLE is not allowed',
  ParamRef: 'parameters ($1) are not allowed',
  CurrentOfExpr: 'WHERE CURRENT OF is not allowed',
};

let loaded: Promise<void> | undefined;

/** Loads PostgreSQL's parser (WebAssembly) once; every validation awaits it. */
export function loadSqlParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

type Node = Record<string, unknown>;

function names(list: unknown): string[] {
  return Array.isArray(list) ? list.map((n) => String(((n as Node).String as Node | undefined)?.sval ?? '')) : [];
}

/**
 * Validates a SQL source on the AST of PostgreSQL's own parser (libpg-query), never with regular expressions:
 * one SELECT (set operations, VALUES, WITH of SELECTs) without INTO or locking; relations only the models (bare or
 * `retl_src.`) and the query's CTEs; functions from the allowlist; casts to scalar and JSON types; no WITH RECURSIVE,
 * TABLESAMPLE, functions in FROM or parameters. Returns the refusal, or undefined when the text may be described in
 * the sandbox (which enforces all of this again, whatever is missed here).
 */
export async function checkSqlSource(
  sql: string,
  models: readonly string[],
  columns: ReadonlySet<string>,
): Promise<SqlRefusal | undefined> {
  await loadSqlParser();
  return checkSqlSourceSync(sql, models, columns);
}

/** `columns`: every column name of every model, so that `t.name` can be told from `name(t)`. */
export function checkSqlSourceSync(sql: string, models: readonly string[], columns: ReadonlySet<string>): SqlRefusal | undefined {
  if (typeof sql !== 'string' || !sql.trim()) return { issue: 'missing', message: 'the query is empty' };
  if (sql.length > MAX_SOURCE_QUERY) return { issue: 'too_long', message: `at most ${MAX_SOURCE_QUERY} characters` };
  let tree: { stmts?: { stmt?: Node }[] };
  try {
    tree = parseSync(sql) as unknown as { stmts?: { stmt?: Node }[] };
  } catch (e) {
    const message = e instanceof Error ? e.message : 'cannot be parsed';
    return { issue: 'syntax_error', message: message.slice(0, 200) };
  }
  const stmts = (tree.stmts ?? []).filter((s) => s.stmt);
  if (stmts.length === 0) return { issue: 'missing', message: 'the query has no statement' };
  if (stmts.length > 1) return { issue: 'multiple_statements', message: 'one statement only' };
  const stmt = stmts[0].stmt!;
  if (!('SelectStmt' in stmt)) return { issue: 'not_a_select', message: `${Object.keys(stmt)[0].replace(/Stmt$/, '')} is not a SELECT` };

  const found: SqlRefusal[] = [];
  const modelSet = new Set(models);
  const ctes = new Set<string>();
  const outputNames = new Set<string>();
  collectNames(stmt, ctes, outputNames);
  // PostgreSQL reads `t.f` and `(t).f` as the call `f(t)` when t has no column f: such a field must be a column
  // (a model's, or one the query names) or an allowed function, like any other call.
  const field = (qualified: string, name: string) => {
    if (!columns.has(name) && !outputNames.has(name) && !ALLOWED_FUNCTIONS.has(name.toLowerCase())) {
      found.push({
        issue: 'forbidden_function',
        message: `'${qualified}' is no column, and as the call ${name}(…) the function is not allowed`,
      });
    }
  };
  walk(stmt, (type, node) => {
    switch (type) {
      case 'SelectStmt':
        if (node.intoClause) found.push({ issue: 'not_a_select', message: 'SELECT … INTO is not allowed' });
        if (node.lockingClause) found.push({ issue: 'not_a_select', message: 'locking clauses (FOR UPDATE …) are not allowed' });
        if ((node.withClause as Node | undefined)?.recursive)
          found.push({ issue: 'forbidden_construct', message: 'WITH RECURSIVE is not allowed' });
        return;
      case 'IntoClause':
        found.push({ issue: 'not_a_select', message: 'SELECT … INTO is not allowed' });
        return;
      case 'LockingClause':
        found.push({ issue: 'not_a_select', message: 'locking clauses (FOR UPDATE …) are not allowed' });
        return;
      case 'RangeVar': {
        const schema = node.schemaname as string | undefined;
        const rel = String(node.relname ?? '');
        const ok =
          !node.catalogname && (schema === 'retl_src' ? modelSet.has(rel) : schema === undefined && (modelSet.has(rel) || ctes.has(rel)));
        if (!ok)
          found.push({
            issue: 'forbidden_relation',
            message: `'${[schema, rel].filter(Boolean).join('.')}' is not a model (${[...modelSet].join(', ')})`,
          });
        return;
      }
      case 'FuncCall': {
        const parts = names(node.funcname).map((n) => n.toLowerCase());
        const name = parts[parts.length - 1];
        const schemaOk = parts.length === 1 || (parts.length === 2 && parts[0] === 'pg_catalog');
        if (!schemaOk || !ALLOWED_FUNCTIONS.has(name))
          found.push({ issue: 'forbidden_function', message: `function '${parts.join('.')}' is not allowed` });
        return;
      }
      case 'ColumnRef': {
        const fields = Array.isArray(node.fields) ? (node.fields as Node[]) : [];
        const last = fields[fields.length - 1]?.String as Node | undefined;
        if (fields.length >= 2 && last) field(names(fields).join('.'), String(last.sval ?? ''));
        return;
      }
      case 'A_Indirection':
        for (const part of Array.isArray(node.indirection) ? (node.indirection as Node[]) : []) {
          const name = (part.String as Node | undefined)?.sval;
          if (typeof name === 'string') field(`(…).${name}`, name);
        }
        return;
      case 'SQLValueFunction':
        if (!ALLOWED_VALUE_FUNCTIONS.has(String(node.op)))
          found.push({ issue: 'forbidden_function', message: 'session and role functions are not allowed' });
        return;
      case 'XmlExpr':
      case 'XmlSerialize':
        found.push({ issue: 'forbidden_function', message: 'XML functions are not allowed' });
        return;
      case 'TypeCast': {
        const parts = names((node.typeName as Node | undefined)?.names).map((n) => n.toLowerCase());
        const name = parts[parts.length - 1];
        const schemaOk = parts.length === 1 || (parts.length === 2 && parts[0] === 'pg_catalog');
        if (!schemaOk || !ALLOWED_TYPES.has(name))
          found.push({ issue: 'forbidden_construct', message: `casts to '${parts.join('.')}' are not allowed` });
        return;
      }
      default:
        if (type in CONSTRUCTS) found.push({ issue: 'forbidden_construct', message: CONSTRUCTS[type] });
        else if (type.endsWith('Stmt') && type !== 'SelectStmt')
          found.push({ issue: 'not_a_select', message: `${type.replace(/Stmt$/, '')} is not a SELECT` });
    }
  });
  if (!found.length) return undefined;
  return PRIORITY.map((p) => found.find((f) => f.issue === p)).find(Boolean);
}

/** Calls `visit(type, fields)` for every node of the tree, parents first. */
function walk(value: unknown, visit: (type: string, node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value as Node)) {
    if (/^[A-Z]/.test(key) && typeof child === 'object' && child !== null && !Array.isArray(child)) visit(key, child as Node);
    walk(child, visit);
  }
}

/** The query's CTE names, and every name it gives an output column (`AS x`, `v(a, b)`, `cte(a, b)`). */
function collectNames(stmt: Node, ctes: Set<string>, outputs: Set<string>): void {
  walk(stmt, (type, node) => {
    if (type === 'CommonTableExpr') {
      if (typeof node.ctename === 'string') ctes.add(node.ctename);
      for (const n of names(node.aliascolnames)) outputs.add(n);
    }
    if (type === 'ResTarget' && typeof node.name === 'string') outputs.add(node.name);
    // `FROM (…) AS v(a, b)`: the parser keeps the alias under a lower-case `alias` key of the range node
    for (const n of names((node.alias as Node | undefined)?.colnames)) outputs.add(n);
  });
}
