import { constantOf, mapRow, validateMappings, type ObjectSchema } from './mapping.js';

const field = (name: string, extra: Partial<ObjectSchema['fields'] extends (infer F)[] | null ? F : never> = {}) => ({
  name,
  label: name,
  dataType: 'string' as const,
  required: false,
  nullable: true,
  isIdentifier: false,
  writable: true,
  maxLength: null,
  ...extra,
});
const crm: ObjectSchema = {
  name: 'Touchpoints',
  label: 'CRM touchpoints',
  fields: [
    field('external_id', { required: true, isIdentifier: true }),
    field('account_company', { required: true }),
    field('note'),
    field('stamp', { writable: false }),
  ],
  keyFields: ['external_id'],
  modes: ['upsert', 'insert', 'update', 'delete'],
};
const schemaless: ObjectSchema = {
  name: 'Anything',
  label: 'Anything',
  fields: null,
  keyFields: [],
  modes: ['upsert', 'insert', 'update', 'delete'],
};
const columns = ['id', 'company_name', 'touchpoints'];

describe('field mappings', () => {
  it('accepts columns and constants, with aliases, echoing the canonical shape', () => {
    const { mappings, issues } = validateMappings(
      [
        { source: 'id', destination: 'external_id', isKey: true },
        { from: 'company_name', to: 'account_company' },
        { sourceColumn: "'it''s plangate'", destinationField: 'note', is_key: false },
      ],
      columns,
      crm,
      'upsert',
    );
    expect(issues).toEqual([]);
    expect(mappings).toEqual([
      { source: 'id', destination: 'external_id', isKey: true },
      { source: 'company_name', destination: 'account_company', isKey: false },
      { source: "'it''s plangate'", destination: 'note', isKey: false },
    ]);
    expect(mapRow(mappings!, { id: 'u1', company_name: 'Acme' })).toEqual({
      external_id: 'u1',
      account_company: 'Acme',
      note: "it's plangate",
    });
  });

  it.each([
    [[], 'upsert', 'fieldMappings', 'invalid_value'],
    [undefined, 'upsert', 'fieldMappings', 'missing'],
    [
      [
        { source: 'nope', destination: 'external_id', isKey: true },
        { source: 'id', destination: 'account_company' },
      ],
      'upsert',
      'fieldMappings[0].source',
      'unknown_column',
    ],
    [[{ source: 'id', destination: 'emial', isKey: true }], 'upsert', 'fieldMappings[0].destination', 'unknown_field'],
    [[{ source: 'id', destination: 'stamp' }], 'insert', 'fieldMappings[0].destination', 'not_writable'],
    [
      [
        { source: 'id', destination: 'external_id' },
        { source: 'id', destination: 'external_id' },
      ],
      'insert',
      'fieldMappings[1].destination',
      'duplicate_destination',
    ],
    [
      [
        { source: 'id', destination: 'external_id' },
        { source: 'company_name', destination: 'account_company' },
      ],
      'upsert',
      'fieldMappings',
      'missing_key',
    ],
    [
      [
        { source: 'id', destination: 'external_id', isKey: true },
        { source: 'company_name', destination: 'account_company', isKey: true },
      ],
      'update',
      'fieldMappings',
      'missing_key',
    ],
    [[{ source: 'id', destination: 'external_id', isKey: true }], 'upsert', 'fieldMappings', 'missing_required_field'],
    [[{ source: 'id', destination: 'external_id', isKey: 'yes' }], 'delete', 'fieldMappings[0].isKey', 'invalid_value'],
    [[{ source: 'id', from: 'company_name', destination: 'external_id' }], 'insert', 'fieldMappings[0].source', 'duplicate_field'],
    [Array.from({ length: 201 }, (_, i) => ({ source: 'id', destination: `f${i}` })), 'insert', 'fieldMappings', 'too_long'],
  ])('%j (%s) → %s %s', (raw, mode, field, type) => {
    const { mappings, issues } = validateMappings(raw, columns, crm, mode as never);
    expect(mappings).toBeUndefined();
    expect(issues).toContainEqual(expect.objectContaining({ field, type }));
  });

  it('lets a schemaless object take any field name, but upsert still needs a key', () => {
    expect(validateMappings([{ source: 'id', destination: 'whatever_name' }], columns, schemaless, 'insert').issues).toEqual([]);
    expect(validateMappings([{ source: 'id', destination: 'x' }], columns, schemaless, 'upsert').issues[0].type).toBe('missing_key');
    expect(validateMappings([{ source: 'id', destination: 'x', isKey: true }], columns, schemaless, 'delete').issues).toEqual([]);
  });

  it('reads quoted constants only', () => {
    expect(constantOf("'plangate'")).toBe('plangate');
    expect(constantOf("''")).toBe('');
    expect(constantOf("'a'b'")).toBeUndefined();
    expect(constantOf('plangate')).toBeUndefined();
  });
});
