import { DomainError } from '#errors';
import { FpQuery, parseDate, parseFilters, parseItemId, parsePaging, parseSince } from './fp-query.js';

const q = (query: string) => new FpQuery(`/api/v2/events/date?${query}`);

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('INVALID');
    return (e as DomainError).message;
  }
  throw new Error('expected a 400');
}

describe('Forward Planner query parameters', () => {
  it('reads names in any case and refuses one given twice', () => {
    expect(parseDate(q('DATE=20300615'), 'date')).toBe('2030-06-15');
    expect(message(() => parseDate(q('date=20300615&Date=20300616'), 'date'))).toBe('date must be given once');
  });

  it('defaults offset 0, limit 100, time 0000', () => {
    expect(parsePaging(q(''))).toEqual({ offset: 0, limit: 100 });
    expect(parsePaging(q('limit=2000&offset=4000'))).toEqual({ offset: 4000, limit: 2000 });
    expect(parseSince(q('date=20250115'))).toBe(Date.UTC(2025, 0, 15));
    expect(parseSince(q('date=20250715&time=0930'))).toBe(Date.UTC(2025, 6, 15, 8, 30));
  });

  it.each(['0', '-1', 'abc', '1.5', '1e3', '5001', '', ' 5'])('refuses limit=%s', (v) => {
    expect(message(() => parsePaging(q(`limit=${encodeURIComponent(v)}`)))).toBe('limit must be an integer from 1 to 5000');
  });

  it('reads filters: comma lists, trimmed keyword (empty = none), headline in four spellings', () => {
    expect(parseFilters(q('categoryId=3,1,3&eventTypeId=5&countryId=38&keyword=%20Forum%20&isHeadline=1'))).toEqual({
      categoryIds: [3, 1],
      eventTypeIds: [5],
      countryIds: [38],
      keyword: 'Forum',
      isHeadline: true,
    });
    expect(parseFilters(q('keyword=&isHeadline=FALSE'))).toEqual({
      categoryIds: undefined,
      eventTypeIds: undefined,
      countryIds: undefined,
      isHeadline: false,
    });
  });

  it('parses item ids of 1 to 2147483647 only', () => {
    expect(parseItemId('2147483647')).toBe(2147483647);
    for (const bad of ['0', '2147483648', '99999999999', 'abc', '-1', '1.0', ''])
      expect(message(() => parseItemId(bad))).toMatch(/^itemId /);
  });
});
