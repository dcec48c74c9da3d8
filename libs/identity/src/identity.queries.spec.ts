import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as queries from './identity.queries.js';

/**
 * Every request pays for these queries: a change to one must show up in review as a change to its committed copy
 * under libs/store/queries/.
 */
describe('identity hot queries', () => {
  const entries = Object.entries(queries).filter(([name]) => name.endsWith('_SQL'));

  it('has a committed copy of every query', () => {
    expect(entries.length).toBeGreaterThanOrEqual(5);
  });

  it.each(entries)('%s matches libs/store/queries', (name, sql) => {
    const file = `identity.${name.replace(/_SQL$/, '').toLowerCase().replace(/_/g, '-')}.sql`;
    const committed = readFileSync(join(__dirname, '../../store/queries', file), 'utf8');
    expect(sql).toBe(committed);
  });

  it('looks keys up by prefix, never by a scan or a relation load', () => {
    expect(queries.AUTHENTICATE_KEY_SQL).toMatch(/WHERE k\.prefix = \$1/);
    expect(queries.AUTHENTICATE_KEY_SQL).toMatch(/k\.revoked_at IS NULL/);
  });
});
