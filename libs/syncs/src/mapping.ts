import { type FieldIssue } from '#errors';
import { isObject, issue, pick } from './aliases.js';
import { type DataType } from './values.js';

export type SyncMode = 'upsert' | 'insert' | 'update' | 'delete';
export const SYNC_MODES: readonly SyncMode[] = ['upsert', 'insert', 'update', 'delete'];

export interface FieldMapping {
  source: string;
  destination: string;
  isKey: boolean;
}

export interface DestinationField {
  name: string;
  label: string;
  dataType: DataType;
  required: boolean;
  nullable: boolean;
  isIdentifier: boolean;
  writable: boolean;
  maxLength: number | null;
}

/** A destination object as a sync sees it; `fields` null = schemaless (a webhook with no declared objects). */
export interface ObjectSchema {
  name: string;
  label: string;
  fields: DestinationField[] | null;
  keyFields: string[];
  modes: SyncMode[];
}

/** `'plangate'` (SQL quoting, '' for a quote) → the constant; anything else is a column name. */
export function constantOf(source: string): string | undefined {
  const m = /^'((?:[^']|'')*)'$/.exec(source);
  return m ? m[1].replace(/''/g, "'") : undefined;
}

/**
 * The mappings of a sync against its source's columns and its destination object (docs/reverse-etl.md): 1–200,
 * each source a column or a quoted constant, each destination a writable field mapped once; for upsert, update and
 * delete the key mappings are exactly the object's key fields (schemaless: at least one); insert and upsert map
 * every required field. `sourceColumns` or `object` undefined: that side could not be read, its checks are skipped.
 */
export function validateMappings(
  raw: unknown,
  sourceColumns: readonly string[] | undefined,
  object: ObjectSchema | undefined,
  mode: SyncMode | undefined,
): { mappings?: FieldMapping[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  if (!Array.isArray(raw) || raw.length === 0)
    return { issues: [issue('fieldMappings', raw === undefined ? 'missing' : 'invalid_value', 'must be a list of 1 to 200 mappings')] };
  if (raw.length > 200) return { issues: [issue('fieldMappings', 'too_long', 'at most 200 mappings')] };
  const columns = sourceColumns ? new Set(sourceColumns) : undefined;
  const fields = object?.fields ? new Map(object.fields.map((f) => [f.name, f])) : undefined;
  const seen = new Set<string>();
  const mappings: FieldMapping[] = [];
  raw.forEach((m, i) => {
    const at = `fieldMappings[${i}]`;
    if (!isObject(m)) {
      issues.push(issue(at, 'invalid_value', 'must be an object {source, destination, isKey}'));
      return;
    }
    const source = pick(m, 'source', ['sourceColumn', 'source_column', 'from'], issues, `${at}.`);
    const destination = pick(m, 'destination', ['destinationField', 'destination_field', 'to'], issues, `${at}.`);
    const isKey = pick(m, 'isKey', [], issues, `${at}.`) ?? false;
    if (typeof source !== 'string' || !source.length || source.length > 1000)
      issues.push(issue(`${at}.source`, 'missing', 'a source column or a quoted constant'));
    else if (constantOf(source) === undefined && columns && !columns.has(source)) {
      issues.push(issue(`${at}.source`, 'unknown_column', `the source has no column '${source.slice(0, 100)}'`));
    }
    if (typeof destination !== 'string' || !destination.length || destination.length > 128) {
      issues.push(issue(`${at}.destination`, 'missing', 'a field of the destination object'));
    } else if (seen.has(destination)) {
      issues.push(issue(`${at}.destination`, 'duplicate_destination', `'${destination}' is mapped twice`));
    } else {
      seen.add(destination);
      const field = fields?.get(destination);
      if (fields && !field)
        issues.push(issue(`${at}.destination`, 'unknown_field', `${object!.name} has no field '${destination.slice(0, 100)}'`));
      else if (field && !field.writable)
        issues.push(issue(`${at}.destination`, 'not_writable', `${object!.name}.${destination} cannot be written`));
      else if (!fields && object && !/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(destination))
        issues.push(issue(`${at}.destination`, 'unknown_field', 'not a field name'));
    }
    if (typeof isKey !== 'boolean') issues.push(issue(`${at}.isKey`, 'invalid_value', 'must be true or false'));
    if (typeof source === 'string' && typeof destination === 'string') mappings.push({ source, destination, isKey: isKey === true });
  });
  if (issues.length || !object || !mode) return { mappings: issues.length ? undefined : mappings, issues };

  const keys = mappings.filter((m) => m.isKey).map((m) => m.destination);
  if (mode !== 'insert') {
    const expected = object.fields ? object.keyFields : undefined;
    const exact = expected ? keys.length === expected.length && expected.every((k) => keys.includes(k)) : keys.length >= 1;
    if (!exact) {
      issues.push(
        issue(
          'fieldMappings',
          'missing_key',
          expected
            ? `${mode} needs exactly the key fields ${expected.join(', ')} mapped with isKey`
            : `${mode} needs at least one mapping with isKey`,
        ),
      );
    }
  }
  if ((mode === 'insert' || mode === 'upsert') && object.fields) {
    const missing = object.fields.filter((f) => f.required && f.writable && !seen.has(f.name)).map((f) => f.name);
    if (missing.length) issues.push(issue('fieldMappings', 'missing_required_field', `${object.name} requires ${missing.join(', ')}`));
  }
  return { mappings: issues.length ? undefined : mappings, issues };
}

/** One source row through the mappings: `{destination: value}` (constants as given). */
export function mapRow(mappings: readonly FieldMapping[], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of mappings) {
    const constant = constantOf(m.source);
    out[m.destination] = constant !== undefined ? constant : (row[m.source] ?? null);
  }
  return out;
}
