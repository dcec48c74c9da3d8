import { isId, newId, ulid } from './ids.js';

describe('ids', () => {
  it('makes 26-character lowercase ULIDs that sort by time', () => {
    const a = ulid(1_700_000_000_000);
    const b = ulid(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
    expect(a < b).toBe(true);
    expect(ulid(0).slice(0, 10)).toBe('0000000000');
  });

  it('prefixes ids by kind and recognises only its own kind', () => {
    const id = newId('sync');
    expect(id).toMatch(/^retl_sync_[0-9a-z]{26}$/);
    expect(isId('sync', id)).toBe(true);
    expect(isId('run', id)).toBe(false);
    expect(isId('sync', 'retl_sync_abc')).toBe(false);
    expect(isId('sync', 'retl_sync_' + 'u'.repeat(26))).toBe(false);
    expect(isId('destination', 42)).toBe(false);
  });
});
