import { freeSlug, HOST_NAME_PATTERN, slugify } from './slug.js';

describe('project slugs', () => {
  it.each([
    ['Riverside Tower', 'riverside-tower'],
    ['Tower A', 'tower-a'],
    ['  Café — Déjà vu!  ', 'cafe-deja-vu'],
    ['Жилой комплекс', ''],
    ['---', ''],
    ['a'.repeat(80), 'a'.repeat(63)],
  ])('%s → %s', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  it('takes the first free -2, -3… and keeps within 63 characters', () => {
    expect(freeSlug('tower', new Set())).toBe('tower');
    expect(freeSlug('tower', new Set(['tower', 'tower-2']))).toBe('tower-3');
    const long = 'a'.repeat(63);
    expect(freeSlug(long, new Set([long]))).toBe(`${'a'.repeat(61)}-2`);
    expect(HOST_NAME_PATTERN.test(freeSlug(long, new Set([long])))).toBe(true);
  });
});
