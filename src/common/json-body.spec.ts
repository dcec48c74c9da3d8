import { nestsWithin } from './json-body.js';

describe('nestsWithin', () => {
  it('counts each object or array as one level', () => {
    expect(nestsWithin(1, 0)).toBe(true);
    expect(nestsWithin({ a: [{}] }, 3)).toBe(true);
    expect(nestsWithin({ a: [{}] }, 2)).toBe(false);
  });

  it('measures a body far deeper than the stack allows without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(nestsWithin(deep, 64)).toBe(false);
  });
});
