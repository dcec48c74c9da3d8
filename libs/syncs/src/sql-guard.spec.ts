import { checkSqlSource, loadSqlParser } from './sql-guard.js';
import { ALLOWED_FUNCTIONS } from './sql-functions.js';

const MODELS = ['touchpoints', 'companies', 'events', 'files'];
/** The columns of those models (the sandbox reads them from the views). */
const COLUMNS = new Set([
  'id',
  'year',
  'company_name',
  'touchpoints',
  'stakeholders',
  'date',
  'name',
  'email',
  'summary',
  'filename',
  'created_at',
  'updated_at',
]);
const check = (sql: string) => checkSqlSource(sql, MODELS, COLUMNS);

describe('SQL source guard (libpg-query AST)', () => {
  beforeAll(() => loadSqlParser());

  it.each([
    'SELECT * FROM touchpoints',
    'select id, company_name, updated_at from retl_src.touchpoints where year = 2025;',
    "SELECT id, lower(name) AS name, 'plangate' AS origin FROM companies ORDER BY name LIMIT 10",
    'WITH t AS (SELECT company_name, count(*) AS n FROM touchpoints GROUP BY 1) SELECT * FROM t WHERE n > 1',
    'SELECT id FROM touchpoints UNION ALL SELECT id FROM events',
    "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)",
    'SELECT id, row_number() OVER (ORDER BY created_at) FROM files',
    "SELECT id, date_trunc('month', created_at)::date AS m, jsonb_build_object('n', name) FROM companies",
    "SELECT id, EXTRACT(year FROM date), created_at AT TIME ZONE 'UTC', substring(company_name FROM 1 FOR 3) FROM touchpoints",
    'SELECT c.id FROM companies c JOIN touchpoints t ON t.company_name = c.name WHERE EXISTS (SELECT 1 FROM files f WHERE f.company_name = c.name)',
    "SELECT id, coalesce(stakeholders, '') AS s, greatest(1, 2), nullif(year, 0), CURRENT_DATE FROM touchpoints",
    'SELECT * FROM touchpoints -- trailing comment',
    'TABLE touchpoints',
    // qualified names that are columns: a model's, or one the query names itself
    'SELECT t.id, t.company_name, t.* FROM touchpoints t',
    'SELECT x.n, x.label FROM (SELECT count(*) AS n, max(name) AS label FROM companies) x',
    "SELECT v.code FROM (VALUES ('a')) AS v(code)",
    'WITH c(k) AS (SELECT id FROM companies) SELECT c.k FROM c',
    'SELECT (c).name FROM companies c',
    'SELECT x.lower FROM (SELECT lower(name) FROM companies) x',
  ])('accepts %s', async (sql) => {
    await expect(check(sql)).resolves.toBeUndefined();
  });

  it.each([
    ['DELETE FROM touchpoints', 'not_a_select'],
    ["UPDATE touchpoints SET company_name = 'x'", 'not_a_select'],
    ['INSERT INTO touchpoints (id) VALUES (1)', 'not_a_select'],
    ['DROP TABLE retl_syncs', 'not_a_select'],
    ["COPY touchpoints TO '/tmp/x'", 'not_a_select'],
    ['SET ROLE postgres', 'not_a_select'],
    ['SELECT * INTO stolen FROM touchpoints', 'not_a_select'],
    ['SELECT * FROM touchpoints FOR UPDATE', 'not_a_select'],
    ['SELECT * FROM (SELECT * FROM touchpoints FOR SHARE) s', 'not_a_select'],
    ['WITH d AS (DELETE FROM touchpoints RETURNING *) SELECT * FROM d', 'not_a_select'],
    ['SELECT 1; DROP TABLE retl_syncs', 'multiple_statements'],
    ['SELECT 1; SELECT 2', 'multiple_statements'],
    ['SELECT * FROM public.touchpoints', 'forbidden_relation'],
    ['SELECT * FROM api_keys', 'forbidden_relation'],
    ['SELECT * FROM retl_query_context', 'forbidden_relation'],
    ['SELECT * FROM pg_catalog.pg_authid', 'forbidden_relation'],
    ['SELECT * FROM pg_shadow', 'forbidden_relation'],
    ['SELECT * FROM pg_settings', 'forbidden_relation'],
    ['SELECT * FROM information_schema.tables', 'forbidden_relation'],
    ['SELECT * FROM retl_src.api_keys', 'forbidden_relation'],
    ['SELECT * FROM other_db.retl_src.touchpoints', 'forbidden_relation'],
    ['SELECT (SELECT count(*) FROM users) FROM touchpoints', 'forbidden_relation'],
    ['SELECT pg_sleep(60)', 'forbidden_function'],
    ["SELECT set_config('role', 'postgres', true)", 'forbidden_function'],
    ["SELECT current_setting('is_superuser')", 'forbidden_function'],
    ["SELECT pg_read_file('/etc/passwd')", 'forbidden_function'],
    ["SELECT query_to_xml('select * from api_keys', true, true, '')", 'forbidden_function'],
    ['SELECT pg_advisory_lock(1)', 'forbidden_function'],
    ["SELECT nextval('contact_ids')", 'forbidden_function'],
    ['SELECT retl_current_account()', 'forbidden_function'],
    ['SELECT public.lower(name) FROM companies', 'forbidden_function'],
    ['SELECT current_user', 'forbidden_function'],
    ['SELECT session_user FROM touchpoints', 'forbidden_function'],
    ["SELECT xmlelement(name x, 'y')", 'forbidden_function'],
    ['SELECT generate_series(1, 10)', 'forbidden_function'],
    ["SELECT jsonb_array_elements('[1]'::jsonb)", 'forbidden_function'],
    // the call form `t.f` = f(t) (issue #17): refused like the call itself
    ['SELECT t.pg_column_size FROM companies t', 'forbidden_function'],
    ['SELECT companies.pg_column_size FROM companies', 'forbidden_function'],
    ['SELECT (c).pg_column_size FROM companies c', 'forbidden_function'],
    ['SELECT x.pg_column_size FROM (SELECT id FROM touchpoints) x', 'forbidden_function'],
    ['SELECT id FROM companies c WHERE c.pg_sleep IS NULL', 'forbidden_function'],
    ['WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r', 'forbidden_construct'],
    ['SELECT * FROM touchpoints TABLESAMPLE SYSTEM (10)', 'forbidden_construct'],
    ["SELECT * FROM lower('x')", 'forbidden_construct'],
    ['SELECT * FROM touchpoints WHERE id = $1', 'forbidden_construct'],
    ["SELECT 'pg_authid'::regclass", 'forbidden_construct'],
    ["SELECT 'x'::pg_catalog.regproc", 'forbidden_construct'],
    ['SELEC 1', 'syntax_error'],
    ['SELECT * FROM', 'syntax_error'],
    ['', 'missing'],
    ['   ', 'missing'],
    [';', 'missing'],
    ['SELECT ' + 'x'.repeat(20_001), 'too_long'],
  ])('refuses %s as %s', async (sql, issue) => {
    const refusal = await check(sql);
    expect(refusal?.issue).toBe(issue);
    expect(refusal?.message).toEqual(expect.any(String));
  });

  it('allows a CTE to carry any name, and the CTE only', async () => {
    await expect(check('WITH api_keys AS (SELECT id FROM touchpoints) SELECT * FROM api_keys')).resolves.toBeUndefined();
  });

  it('allows no function that sleeps, reads files, sets configuration, locks, runs SQL, returns sets or touches sequences', () => {
    for (const f of [
      'pg_sleep',
      'pg_sleep_for',
      'pg_sleep_until',
      'set_config',
      'current_setting',
      'pg_read_file',
      'pg_read_binary_file',
      'pg_ls_dir',
      'lo_import',
      'lo_export',
      'query_to_xml',
      'table_to_xml',
      'cursor_to_xml',
      'dblink',
      'pg_advisory_lock',
      'pg_try_advisory_lock',
      'nextval',
      'setval',
      'currval',
      'lastval',
      'generate_series',
      'unnest',
      'jsonb_array_elements',
      'json_each',
      'regexp_matches',
      'string_to_table',
      'pg_terminate_backend',
      'pg_cancel_backend',
      'txid_current',
      'pg_current_xact_id',
      'current_user',
      'current_database',
      'version',
      'pg_stat_file',
      'retl_current_account',
      'limit_eval',
      'has_table_privilege',
      'pg_get_viewdef',
      'format_type',
      'to_regclass',
      'pg_notify',
      'pg_reload_conf',
      'pg_logical_emit_message',
      'random',
      'setseed',
    ]) {
      expect([f, ALLOWED_FUNCTIONS.has(f)]).toEqual([f, false]);
    }
  });
});
