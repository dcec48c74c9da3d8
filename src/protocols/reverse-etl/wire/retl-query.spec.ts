import { type DomainError } from '#errors';
import { RetlQuery } from './retl-query.js';

function fails(query: Record<string, unknown>, read: (q: RetlQuery) => unknown): DomainError {
  const q = new RetlQuery(query);
  read(q);
  try {
    q.done();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a 400');
}

describe('reverse-ETL query values', () => {
  it('reads limits, cursors, booleans, times and both spellings', () => {
    const q = new RetlQuery({ limit: '200', cursor: 'abc', enabled: '0', since: '2025-11-22T12:00:00+02:00', destinationId: 'conn_x' });
    expect(q.page()).toEqual({ limit: 200, after: 'abc' });
    expect(q.bool('enabled')).toBe(false);
    expect(q.time('since')!.toISOString()).toBe('2025-11-22T10:00:00.000Z');
    expect(q.text('destination_id')).toBe('conn_x');
    q.done();
    expect(new RetlQuery({}).page()).toEqual({ limit: 50, after: undefined });
  });

  it.each([
    [{ limit: '0' }, (q: RetlQuery) => q.page(), 'limit'],
    [{ limit: '201' }, (q: RetlQuery) => q.page(), 'limit'],
    [{ limit: 'abc' }, (q: RetlQuery) => q.page(), 'limit'],
    [{ enabled: 'maybe' }, (q: RetlQuery) => q.bool('enabled'), 'enabled'],
    [{ status: 'exploded' }, (q: RetlQuery) => q.oneOf('status', ['queued', 'running']), 'status'],
    [{ since: 'yesterday' }, (q: RetlQuery) => q.time('since'), 'since'],
    [{}, (q: RetlQuery) => q.required('destination_id'), 'destination_id'],
  ])('%j is a 400 naming the parameter', (query, read, field) => {
    const e = fails(query, read);
    expect(e.code).toBe('MALFORMED');
    expect(e.fields[0].field).toBe(field);
  });
});
