import { normalizeEventImport } from './event-import.js';
import { AFTER_SERVER_FIELDS, serverFieldsAt, spliceAt, topLevelKeyAt } from './event-json.js';

describe('topLevelKeyAt', () => {
  it('finds only keys of the top-level object', () => {
    expect(topLevelKeyAt('{"a":{"k":1},"b":"\\"k\\":","k":2}', '"k":')).toBe(26);
    expect(topLevelKeyAt('{"a":[{"k":1}],"b":"k"}', '"k":')).toBe(-1);
  });

  it('skips strings whatever their escapes: quotes, runs of backslashes, unicode', () => {
    for (const value of ['a\\', 'a\\\\', '\\"k\\":', '"k":', '\\\\"', 'é ✓ 😀 \u202e', '']) {
      const json = JSON.stringify({ a: value, b: [value, { k: value }], k: 1 });
      expect(topLevelKeyAt(json, '"k":')).toBe(json.lastIndexOf('"k":'));
    }
  });

  it('answers -1 for an unterminated string or a key that is not there', () => {
    expect(topLevelKeyAt('{"a":"unterminated', '"k":')).toBe(-1);
    expect(topLevelKeyAt('{"a":1}', '"k":')).toBe(-1);
  });
});

describe('serverFieldsAt and spliceAt', () => {
  const content = normalizeEventImport([{ itemId: 1, summary: '"website": not a key', startDate: '2030-06-15', website: 'w' }]).events[0]
    .content;
  const json = JSON.stringify({ ...content, venueData: [{ website: 'nested' }] });
  const at = serverFieldsAt(json);

  it('is the top-level key after the server fields, past a nested lookalike', () => {
    expect(json.startsWith(AFTER_SERVER_FIELDS, at)).toBe(true);
    expect(json.indexOf(AFTER_SERVER_FIELDS)).toBeLessThan(at);
    expect(JSON.parse(json.slice(0, at).replace(/,$/, '}'))).not.toHaveProperty('website');
  });

  it('trusts a stored offset only where it points at the key', () => {
    expect(spliceAt(json, at)).toBe(at);
    expect(spliceAt(json, null)).toBe(at);
    expect(spliceAt(json, at + 1)).toBe(at);
    expect(spliceAt(json, 10_000_000)).toBe(at);
  });
});
