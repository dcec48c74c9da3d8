import { insertStatement, jsonb, updateStatement } from './write-statements.js';

describe('write statements', () => {
  it('writes the given columns after the key, leaves out undefined ones and keeps null', () => {
    expect(updateStatement('floors', { account_id: 'a', id: 7 }, { name: 'Level 1', level: undefined, image: null })).toEqual({
      sql: 'UPDATE floors SET name = $3, image = $4, updated_at = clock_timestamp() WHERE account_id = $1 AND id = $2',
      params: ['a', 7, 'Level 1', null],
    });
  });

  it('serializes and casts jsonb values', () => {
    expect(updateStatement('projects', { id: 1 }, { collections: jsonb([{ _id: 'x' }]) }, { touch: false })).toEqual({
      sql: 'UPDATE projects SET collections = $2::jsonb WHERE id = $1',
      params: [1, '[{"_id":"x"}]'],
    });
  });

  it('has nothing to write when no column is given', () => {
    expect(updateStatement('units', { id: 1 }, { name: undefined })).toBeUndefined();
  });

  it('inserts the given columns, leaving undefined ones to their defaults, then the tail', () => {
    expect(insertStatement('contacts', { account_id: 'a', name: 'Jane', email: undefined, phones: jsonb([]) }, 'RETURNING id')).toEqual({
      sql: 'INSERT INTO contacts (account_id, name, phones) VALUES ($1, $2, $3::jsonb) RETURNING id',
      params: ['a', 'Jane', '[]'],
    });
  });
});
