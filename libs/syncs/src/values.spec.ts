import { coerce, fromPgText, isoTimestamp, PG_TYPE, preview, watermarkText } from './values.js';

describe('values', () => {
  it.each([
    ['t', PG_TYPE.bool, true],
    ['f', PG_TYPE.bool, false],
    ['42', PG_TYPE.int4, 42],
    ['9007199254740993', PG_TYPE.int8, '9007199254740993'],
    ['12', PG_TYPE.int8, 12],
    ['1250000.50', PG_TYPE.numeric, 1250000.5],
    ['NaN', PG_TYPE.numeric, 'NaN'],
    ['2025-11-22 10:14:58.120456+00', PG_TYPE.timestamptz, '2025-11-22T10:14:58.120456Z'],
    ['2025-11-22 10:14:58+00', PG_TYPE.timestamptz, '2025-11-22T10:14:58.000Z'],
    ['2025-11-22 12:14:58.5+02', PG_TYPE.timestamptz, '2025-11-22T10:14:58.500Z'],
    ['2025-11-22 10:14:58.1', PG_TYPE.timestamp, '2025-11-22T10:14:58.100Z'],
    ['2025-11-22', PG_TYPE.date, '2025-11-22'],
    ['{"a":[1,2]}', PG_TYPE.jsonb, { a: [1, 2] }],
    ['plain', 25, 'plain'],
    [null, PG_TYPE.int4, null],
  ])('%s (oid %i) → %j', (text, oid, value) => {
    expect(fromPgText(text, oid)).toEqual(value);
  });

  it('keeps watermarks at full precision', () => {
    expect(watermarkText('2025-11-22 10:14:58.120456+00', PG_TYPE.timestamptz)).toBe('2025-11-22T10:14:58.120456Z');
    expect(watermarkText('123456789012345678901234.5', PG_TYPE.numeric)).toBe('123456789012345678901234.5');
    expect(isoTimestamp('infinity')).toBe('infinity');
  });

  it.each([
    [{ name: 'n', type: 'integer' }, '42', { ok: true, value: 42 }],
    [{ name: 'n', type: 'integer' }, 'abc', { ok: false, code: 'type_coercion_failed' }],
    [{ name: 'n', type: 'integer' }, 1.5, { ok: false, code: 'type_coercion_failed' }],
    [{ name: 'n', type: 'number' }, '1.5', { ok: true, value: 1.5 }],
    [{ name: 'b', type: 'boolean' }, 'Yes', { ok: true, value: true }],
    [{ name: 'b', type: 'boolean' }, 'maybe', { ok: false, code: 'type_coercion_failed' }],
    [{ name: 's', type: 'string' }, 2025, { ok: true, value: '2025' }],
    [{ name: 's', type: 'string', maxLength: 3 }, 'abcd', { ok: false, code: 'type_coercion_failed' }],
    [{ name: 'd', type: 'date' }, '2025-11-22T10:00:00Z', { ok: true, value: '2025-11-22' }],
    [{ name: 'd', type: 'datetime' }, 'yesterday', { ok: false, code: 'type_coercion_failed' }],
    [{ name: 'r', type: 'string', required: true }, null, { ok: false, code: 'missing_required_value' }],
    [{ name: 'o', type: 'string' }, null, { ok: true, value: null }],
    [{ name: 'j', type: 'json' }, { a: 1 }, { ok: true, value: { a: 1 } }],
  ] as const)('coerces to %j: %j', (field, value, expected) => {
    expect(coerce(value, field as never)).toMatchObject(expected);
  });

  it('cuts previewed strings at 1,000 characters', () => {
    expect((preview({ a: 'x'.repeat(1500), b: 1 }).a as string).length).toBe(1000);
  });
});
