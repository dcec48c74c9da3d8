import { API_KEY_PATTERN, apiKeyPrefix, generateApiKey, hashPassword, sameSecret, sha256, verifyPassword } from './secrets.js';

describe('secrets', () => {
  it('makes psk_ keys of 40 base62 characters, all different', () => {
    const keys = new Set(Array.from({ length: 500 }, generateApiKey));
    expect(keys.size).toBe(500);
    for (const k of keys) expect(k).toMatch(API_KEY_PATTERN);
  });

  it('uses the first 12 characters as lookup prefix', () => {
    expect(apiKeyPrefix('psk_ABCDEFGHrest')).toBe('psk_ABCDEFGH');
  });

  it('compares digests in constant time and by value', () => {
    expect(sameSecret(sha256('a'), sha256('a'))).toBe(true);
    expect(sameSecret(sha256('a'), sha256('b'))).toBe(false);
    expect(sameSecret(sha256('a'), Buffer.alloc(3))).toBe(false);
  });

  it('hashes passwords with argon2id and verifies them', async () => {
    const phc = await hashPassword('correct horse battery');
    expect(phc).toMatch(/^\$argon2id\$/);
    await expect(verifyPassword(phc, 'correct horse battery')).resolves.toBe(true);
    await expect(verifyPassword(phc, 'wrong horse battery')).resolves.toBe(false);
    await expect(verifyPassword('not a hash', 'x')).resolves.toBe(false);
  });
});
