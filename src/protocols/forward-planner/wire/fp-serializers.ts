import { EVENT_FIELDS, londonStamp, spliceAt, utcStamp, type StoredEvent } from '#events';

/**
 * One event on the wire (docs/forward-planner.md) as JSON text: every field, in order; the server's stamps as naive
 * `yyyy-MM-ddTHH:mm:ss.fff` in Europe/London and in UTC; never `productIds`. The stored content is already the
 * wire's fields in order (import normalises it), so the server's fields are spliced into its text at the offset
 * import stored: no parse, no scan, no object per event, no re-serialisation.
 */
export function renderEventJson(e: StoredEvent): string {
  const server =
    `"createdDate":"${londonStamp(e.createdMs)}","lastEditDate":"${londonStamp(e.editedMs)}",` +
    `"createdDateUtc":"${utcStamp(e.createdMs)}","lastEditDateUtc":"${utcStamp(e.editedMs)}",` +
    `"deleted":${e.deleted},"deletionDate":${e.deleted && e.deletedMs !== null ? `"${londonStamp(e.deletedMs)}"` : 'null'},`;
  const at = spliceAt(e.contentJson, e.serverFieldsAt);
  if (at < 0) return JSON.stringify(renderEventObject(e));
  return e.contentJson.slice(0, at) + server + e.contentJson.slice(at);
}

/**
 * The same event as an object, field by field, as the spec reads: for content stored in another shape (never
 * written by import), and the reference the splice is tested against.
 */
export function renderEventObject(e: StoredEvent): Record<string, unknown> {
  const content = JSON.parse(e.contentJson) as Record<string, unknown>;
  const server: Record<string, unknown> = {
    createdDate: londonStamp(e.createdMs),
    lastEditDate: londonStamp(e.editedMs),
    createdDateUtc: utcStamp(e.createdMs),
    lastEditDateUtc: utcStamp(e.editedMs),
    deleted: e.deleted,
    deletionDate: e.deleted && e.deletedMs !== null ? londonStamp(e.deletedMs) : null,
  };
  const out: Record<string, unknown> = {};
  for (const field of EVENT_FIELDS) out[field] = field in server ? server[field] : (content[field] ?? null);
  return out;
}

type Entry = Record<string, unknown>;

function pick(entry: Entry, fields: [string, unknown][]): Entry {
  return Object.fromEntries(fields.map(([name, fallback]) => [name, entry[name] ?? fallback]));
}

const collator = new Intl.Collator('en', { sensitivity: 'base' });
const byNumber = (a: unknown, b: unknown) => Number(a) - Number(b);

export function renderCategories(entries: Entry[]): Entry[] {
  return entries
    .map((c) =>
      pick(c, [
        ['categoryId', 0],
        ['categoryName', ''],
        ['categoryOrder', 0],
        ['categoryTypeId', 0],
        ['categoryTypeName', null],
      ]),
    )
    .sort((a, b) => byNumber(a.categoryOrder, b.categoryOrder) || byNumber(a.categoryId, b.categoryId));
}

export function renderEventTypes(entries: Entry[]): Entry[] {
  return entries
    .map((t) =>
      pick(t, [
        ['tagId', 0],
        ['tagName', ''],
        ['tagTypeId', 0],
        ['tagTypeName', null],
      ]),
    )
    .sort((a, b) => collator.compare(String(a.tagName), String(b.tagName)) || byNumber(a.tagId, b.tagId));
}

export function renderCountries(entries: { id: number; country: Entry | null; countryName: string }[]): Entry[] {
  return entries
    .map((c) =>
      c.country
        ? pick(c.country, [
            ['countryId', 0],
            ['countryName', ''],
            ['region', ''],
            ['countryCode', ''],
          ])
        : { countryId: c.id, countryName: c.countryName, region: null, countryCode: null },
    )
    .sort((a, b) => collator.compare(String(a.countryName), String(b.countryName)) || byNumber(a.countryId, b.countryId));
}
