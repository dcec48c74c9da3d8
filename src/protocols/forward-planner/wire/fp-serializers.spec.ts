import { EVENT_FIELDS, normalizeEventImport, serverFieldsAt, topLevelKeyAt, type StoredEvent } from '#events';
import { renderEventJson, renderEventObject } from './fp-serializers.js';

/** The wire event built field by field (docs/forward-planner.md): the reference for the splice. */
const reference = (e: StoredEvent) => JSON.stringify(renderEventObject(e));

/** An event as import stores it: the content's JSON text and where the server's fields go in it. */
const stored = (input: Record<string, unknown>, stamps: Partial<StoredEvent> = {}): StoredEvent => {
  const contentJson = JSON.stringify(normalizeEventImport([input]).events[0].content);
  return { contentJson, serverFieldsAt: serverFieldsAt(contentJson), ...timesOf(stamps) };
};
const timesOf = (stamps: Partial<StoredEvent>) => ({
  createdMs: Date.UTC(2026, 2, 29, 0, 30, 0, 123), // the night London moves to BST
  editedMs: Date.UTC(2026, 9, 25, 1, 15, 0, 7),
  deleted: false,
  deletedMs: null,
  ...stamps,
});

describe('renderEventJson', () => {
  const hostile = 'website":"x","deleted":true,\\"}{[';
  it.each([
    ['a minimal event', { itemId: 1, summary: 'Forum', startDate: '2030-06-15' }],
    [
      'strings that look like keys, quotes, backslashes, unicode',
      { itemId: 2, summary: hostile, description: 'a "quoted" \\ back\nline ✓ \u202e RTL', venue: '"website":', startDate: '2030-06-15' },
    ],
    [
      'every list and object field filled',
      {
        itemId: 4,
        summary: 'Full',
        startDate: '2030-06-15',
        endDate: '2030-06-17',
        time: '09:30',
        embargoTime: '2030-06-01T08:00:00',
        timezone: { timezoneID: 8, timezoneOffset: -4 },
        categories: [{ categoryId: 1, categoryName: 'A' }],
        eventTypes: [{ tagId: 2, tagName: 'B' }],
        pressContacts: [{ pressContactID: 3, pressContactName: 'C' }],
        country: { countryId: 38, countryName: 'Canada' },
        website: 'w',
        locale: 'en-GB',
      },
    ],
  ])('renders %s exactly as the field-by-field reference', (_name, input) => {
    const e = stored(input);
    expect(renderEventJson(e)).toBe(reference(e));
    expect(Object.keys(JSON.parse(renderEventJson(e)))).toEqual([...EVENT_FIELDS]);
  });

  it('splices at the top-level "website" key even where a nested object has one before it', () => {
    // import's shapes have no nested "website" key today; the splice must not depend on that
    const e = stored({ itemId: 3, summary: 'S', startDate: '2030-06-15', website: 'http://top.example' });
    const content = JSON.parse(e.contentJson) as Record<string, unknown>;
    content.venueData = [{ website: 'http://nested.example', name: '{"website":1}' }];
    const contentJson = JSON.stringify(content);
    const nested = { ...e, contentJson, serverFieldsAt: serverFieldsAt(contentJson) };
    expect(nested.contentJson.indexOf('"website":')).toBeLessThan(topLevelKeyAt(nested.contentJson, '"website":'));
    expect(renderEventJson(nested)).toBe(reference(nested));
  });

  it('splices at the stored offset, and finds the place again when a row has none or it no longer points at the key', () => {
    const e = stored({ itemId: 7, summary: 'S', startDate: '2030-06-15', website: 'w' });
    const content = JSON.parse(e.contentJson) as Record<string, unknown>;
    content.venueData = [{ website: 'nested' }]; // a lookalike key before the real one
    const contentJson = JSON.stringify(content);
    const nested = { ...e, contentJson, serverFieldsAt: serverFieldsAt(contentJson) };
    const lookalike = contentJson.indexOf('"website":');
    expect(lookalike).toBeLessThan(nested.serverFieldsAt!);
    for (const offset of [nested.serverFieldsAt, null, 0, lookalike + 1, contentJson.length + 5]) {
      expect(renderEventJson({ ...nested, serverFieldsAt: offset })).toBe(reference(nested));
    }
  });

  it('renders a tombstone with its deletion stamp', () => {
    const e = stored(
      { itemId: 5, summary: 'Gone', startDate: '2030-06-15' },
      { deleted: true, deletedMs: Date.UTC(2026, 6, 1, 12, 0, 0, 0) },
    );
    expect(JSON.parse(renderEventJson(e))).toMatchObject({ deleted: true, deletionDate: '2026-07-01T13:00:00.000' });
    expect(renderEventJson(e)).toBe(reference(e));
  });

  it('falls back to the field-by-field rendering for content stored in another shape', () => {
    const e = stored({ itemId: 6, summary: 'Odd', startDate: '2030-06-15' });
    const odd = { ...e, contentJson: JSON.stringify({ summary: 'Odd', itemId: 6 }), serverFieldsAt: null };
    const rendered = JSON.parse(renderEventJson(odd)) as Record<string, unknown>;
    expect(Object.keys(rendered)).toEqual([...EVENT_FIELDS]); // wire order, whatever the stored order
    expect(rendered).toMatchObject({
      itemId: 6,
      summary: 'Odd',
      description: null,
      website: null,
      deleted: false,
      createdDateUtc: '2026-03-29T00:30:00.123',
    });
  });
});
