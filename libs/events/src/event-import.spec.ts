import { DomainError } from '#errors';
import { EVENT_FIELDS, normalizeEventImport, SERVER_FIELDS } from './event-import.js';

function problems(input: unknown): { field: string; issue: string }[] {
  try {
    normalizeEventImport(input);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).fields.map(({ field, issue }) => ({ field, issue }));
  }
  throw new Error('expected the import to be refused');
}

const minimal = { itemId: 7, summary: 'Forum', startDate: '2030-06-15' };

describe('normalizeEventImport', () => {
  it('fills every field in wire order, with the documented defaults', () => {
    const { events, ignoredFields } = normalizeEventImport([minimal]);
    expect(ignoredFields).toEqual([]);
    const [e] = events;
    expect(Object.keys(e.content)).toEqual(EVENT_FIELDS.filter((f) => !(SERVER_FIELDS as readonly string[]).includes(f)));
    expect(e.content).toMatchObject({
      itemId: 7,
      summary: 'Forum',
      description: '',
      startDate: '2030-06-15T00:00:00',
      endDate: '2030-06-15T00:00:00',
      time: '',
      tbcTime: false,
      embargoTime: null,
      timezone: null,
      venueData: [],
      organisation: null,
      plannedBy: [],
      pressContacts: [],
      categories: [],
      primaryCategory: null,
      eventTypes: [],
      influencers: [],
      indicator: null,
      period: null,
      order: 0,
      locale: null,
    });
    expect(e.columns).toEqual({
      startDate: '2030-06-15',
      endDate: '2030-06-15',
      time: '',
      isHeadline: false,
      countryId: 0,
      categoryIds: [],
      eventTypeIds: [],
      productIds: [],
      embargoMs: null,
      searchText: 'forum\n\n\n',
    });
  });

  it('drops time parts of dates and fractions of embargoes, and places the embargo at the event offset', () => {
    const [e] = normalizeEventImport([
      {
        ...minimal,
        startDate: '2030-06-15T10:11:12.5',
        endDate: '2030-06-16T00:00:00',
        time: '09:30',
        embargoTime: '2030-06-01T08:00:00.999',
        timezone: { timezoneID: 8, timezoneOffset: -4, extra: 1 },
      },
    ]).events;
    expect(e.content.startDate).toBe('2030-06-15T00:00:00');
    expect(e.content.endDate).toBe('2030-06-16T00:00:00');
    expect(e.content.embargoTime).toBe('2030-06-01T08:00:00');
    expect(e.content.timezone).toEqual({
      timezoneID: 8,
      timezoneAbbreviation: '',
      timezoneName: '',
      timezoneOffset: -4,
      timezoneIdentity: null,
    });
    expect(e.columns.embargoMs).toBe(Date.UTC(2030, 5, 1, 12, 0, 0));
  });

  it('normalises nested objects to their fields and collects the query columns', () => {
    const [e] = normalizeEventImport([
      {
        ...minimal,
        website1: 'https://old.example',
        categories: [{ categoryId: 88, categoryName: 'Law', junk: true }],
        primaryCategory: { categoryId: 5, categoryName: 'Economy' },
        eventTypes: [
          { tagId: 148, tagName: 'Trade' },
          { tagId: 148, tagName: 'Trade' },
        ],
        pressContacts: [{ pressContactID: 1 }],
        productIds: [3, 1, 3],
        venue: 'Hall',
        organisationName: 'ACME',
        isHeadline: true,
        countryId: 38,
        createdDate: 'ignored',
      },
    ]).events;
    expect(e.content.website).toBe('https://old.example');
    expect(e.content.categories).toEqual([
      { categoryId: 88, categoryName: 'Law', categoryOrder: 0, categoryTypeId: 0, categoryTypeName: null },
    ]);
    expect(e.content.pressContacts).toEqual([
      {
        pressContactID: 1,
        organisationID: 0,
        pressContactName: '',
        pressContactOffice: '',
        pressContactTelephone: '',
        pressContactMobile: '',
        pressContactEmail: '',
        pressContactTwitter: '',
        pressContactLinkedIn: null,
      },
    ]);
    expect(e.columns).toMatchObject({
      categoryIds: [88, 5],
      eventTypeIds: [148],
      productIds: [1, 3],
      isHeadline: true,
      countryId: 38,
      searchText: 'forum\n\nhall\nacme',
    });
  });

  it('names unknown top-level fields once, sorted', () => {
    expect(
      normalizeEventImport([
        { ...minimal, b: 1, a: 2 },
        { ...minimal, itemId: 8, b: 3 },
      ]).ignoredFields,
    ).toEqual(['a', 'b']);
  });

  it.each([
    [[{ summary: 'x', startDate: '2030-01-01' }], '[0].itemId', 'required'],
    [[{ ...minimal, itemId: 2_147_483_648 }], '[0].itemId', 'must be an integer from 1 to 2147483647'],
    [[{ ...minimal, itemId: '7' }], '[0].itemId', 'must be an integer from 1 to 2147483647'],
    [[{ ...minimal, summary: 'x'.repeat(1001) }], '[0].summary', 'must be at most 1000 characters'],
    [[{ ...minimal, summary: '', description: 'y'.repeat(20_001) }], '[0].description', 'must be at most 20000 characters'],
    [[{ ...minimal, startDate: '15/06/2030' }], '[0].startDate', expect.stringMatching(/^must be a date/)],
    [[{ ...minimal, startDate: '2030-02-29' }], '[0].startDate', expect.stringMatching(/^must be a date/)],
    [[{ ...minimal, endDate: '2030-06-14' }], '[0].endDate', 'must not be before startDate'],
    [[{ ...minimal, time: '24:00', timezone: null }], '[0].time', expect.stringMatching(/^must be HH:mm/)],
    [[{ ...minimal, time: '09:30' }], '[0].timezone', 'required when time is given'],
    [[{ ...minimal, embargoTime: '2030-06-01T08:00:00+02:00' }], '[0].embargoTime', expect.stringMatching(/naive/)],
    [[{ ...minimal, venueData: {} }], '[0].venueData', 'must be an array'],
    [[{ ...minimal, plannedBy: ['x'] }], '[0].plannedBy', 'must be an array of integers'],
    [[{ ...minimal, country: 'CA' }], '[0].country', 'must be an object'],
    [[{ ...minimal, locale: 5 }], '[0].locale', 'must be a string or null'],
    [[minimal, { ...minimal }], '[1].itemId', 'duplicate itemId 7 (also at [0])'],
    [[5], '[0]', 'must be an event object'],
    [{}, 'body', 'must be a JSON array of events'],
  ])('refuses %j naming %s', (input, field, issue) => {
    expect(problems(input)).toContainEqual({ field, issue });
  });

  it('refuses more than 5,000 events as too large', () => {
    const many = Array.from({ length: 5001 }, (_, i) => ({ ...minimal, itemId: i + 1 }));
    expect(() => normalizeEventImport(many)).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
  });
});
