/**
 * What a SQL source may call (reverse-etl.md §7.2 (3)): aggregate, window, text, math, date/time and JSON-building
 * functions. Nothing that sleeps, reads files, sets or reads configuration, locks, runs dynamic SQL, returns sets,
 * touches sequences or names the session's roles. Names are matched lower-cased, bare or `pg_catalog.`-qualified.
 * A function missing here is refused with `forbidden_function`: add it with a line in sql-functions.spec.ts.
 */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  // aggregates
  'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg', 'json_agg', 'jsonb_agg',
  'json_object_agg', 'jsonb_object_agg', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp',
  'percentile_cont', 'percentile_disc', 'mode', 'corr', 'covar_pop', 'covar_samp', 'any_value',
  // window
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value',
  // text
  'lower', 'upper', 'initcap', 'length', 'char_length', 'character_length', 'octet_length', 'bit_length', 'substr', 'substring',
  'left', 'right', 'trim', 'btrim', 'ltrim', 'rtrim', 'lpad', 'rpad', 'replace', 'split_part', 'concat', 'concat_ws', 'position',
  'strpos', 'starts_with', 'reverse', 'repeat', 'translate', 'regexp_replace', 'regexp_match', 'regexp_like', 'regexp_count',
  'regexp_substr', 'md5', 'sha256', 'encode', 'decode', 'format', 'to_char', 'to_number', 'to_date', 'to_timestamp', 'overlay',
  'ascii', 'chr', 'quote_ident', 'quote_literal', 'quote_nullable', 'unaccent', 'normalize', 'string_to_array', 'array_to_string',
  'array_length', 'cardinality', 'array_position', 'array_append', 'array_cat',
  // math
  'abs', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'mod', 'power', 'pow', 'sqrt', 'cbrt', 'sign', 'exp', 'ln', 'log', 'log10',
  'div', 'pi', 'degrees', 'radians', 'width_bucket', 'gcd', 'lcm', 'scale',
  // date and time
  'now', 'date_trunc', 'date_part', 'extract', 'age', 'make_date', 'make_time', 'make_timestamp', 'make_timestamptz', 'make_interval',
  'date_bin', 'timezone', 'justify_days', 'justify_hours', 'justify_interval', 'isfinite', 'current_date', 'clock_timestamp',
  'statement_timestamp', 'transaction_timestamp', 'date_add', 'date_subtract',
  // JSON building and reading (scalar results only)
  'json_build_object', 'jsonb_build_object', 'json_build_array', 'jsonb_build_array', 'to_json', 'to_jsonb', 'json_object', 'jsonb_object',
  'row_to_json', 'array_to_json', 'jsonb_strip_nulls', 'json_strip_nulls', 'jsonb_set', 'jsonb_insert', 'jsonb_pretty', 'json_typeof',
  'jsonb_typeof', 'json_array_length', 'jsonb_array_length', 'json_extract_path', 'jsonb_extract_path', 'json_extract_path_text',
  'jsonb_extract_path_text', 'jsonb_path_exists', 'jsonb_path_match', 'jsonb_path_query_first', 'jsonb_path_query_array',
  // conditionals that parse as calls
  'num_nulls', 'num_nonnulls',
]);

/** Types a SQL source may cast to (§7.2 (4)): scalars and JSON (and arrays of them), never reg* or system types. */
export const ALLOWED_TYPES: ReadonlySet<string> = new Set([
  'text', 'varchar', 'char', 'bpchar', 'name', 'int2', 'int4', 'int8', 'int', 'integer', 'smallint', 'bigint', 'numeric', 'decimal',
  'real', 'float4', 'float8', 'float', 'double precision', 'bool', 'boolean', 'date', 'time', 'timetz', 'timestamp', 'timestamptz',
  'interval', 'json', 'jsonb', 'uuid',
]);
