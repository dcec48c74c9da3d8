import { DomainError } from '#errors';
import { decodeCursor, encodeCursor, toPage } from './cursor.js';

describe('cursor codec', () => {
  it('round-trips a keyset position for the same list and filters', () => {
    const c = encodeCursor('syncs', { enabled: true }, 'retl_sync_01');
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('syncs', { enabled: true }, c)).toBe('retl_sync_01');
  });

  it.each([
    ['garbage', 'zzz'],
    ['not base64url', 'a b'],
    ['JSON but no cursor', Buffer.from('{"a":1}').toString('base64url')],
    ['another list', encodeCursor('runs', { enabled: true }, 'x')],
    ['other filters', encodeCursor('syncs', { enabled: false }, 'x')],
    ['empty', ''],
  ])('refuses %s with 400 invalid_request', (_name, cursor) => {
    let error: unknown;
    try {
      decodeCursor('syncs', { enabled: true }, cursor);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('MALFORMED');
    expect((error as DomainError).fields[0].field).toBe('cursor');
  });

  it('gives a null cursor on the last page and the last key otherwise', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(toPage('l', {}, rows, 3, (r) => r.id).cursor).toBeNull();
    const page = toPage('l', {}, rows, 2, (r) => r.id);
    expect(page.rows).toHaveLength(2);
    expect(decodeCursor('l', {}, page.cursor!)).toBe('b');
  });
});
