import { DomainError, type FieldIssue } from '#errors';
import { calendarDate, isoDate } from './event-time.js';

/** One Admin API call: 1–5,000 events (docs/forward-planner.md). */
export const EVENT_IMPORT_MAX = 5000;
/** The body limit of an events import. */
export const EVENT_IMPORT_MAX_BYTES = 20 * 1024 * 1024;

const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;

/** Every field of the wire event, in wire order (docs/forward-planner.md). */
export const EVENT_FIELDS = [
  'itemId',
  'summary',
  'description',
  'startDate',
  'endDate',
  'time',
  'tbcTime',
  'embargoTime',
  'timezone',
  'venue',
  'tbcVenue',
  'venueData',
  'organisationId',
  'organisationName',
  'organisation',
  'eventConfirmed',
  'isAnnual',
  'isHeadline',
  'isTopStory',
  'isLive',
  'isNew',
  'isUpdated',
  'isProvisional',
  'isVirtual',
  'plannedBy',
  'createdDate',
  'lastEditDate',
  'createdDateUtc',
  'lastEditDateUtc',
  'deleted',
  'deletionDate',
  'website',
  'website2',
  'twitterWebsite',
  'twitterHashTag',
  'facebookPage',
  'linkedInPage',
  'regionId',
  'countryId',
  'countryName',
  'country',
  'indicator',
  'period',
  'pressContacts',
  'categories',
  'primaryCategory',
  'eventTypes',
  'influencers',
  'order',
  'locale',
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

/** Set by Plangate: ignored on import, rendered from the row's instants. */
export const SERVER_FIELDS = ['createdDate', 'lastEditDate', 'createdDateUtc', 'lastEditDateUtc', 'deleted', 'deletionDate'] as const;

/** The event's own content in wire order, as stored (server fields left out). */
export type EventContent = Record<string, unknown>;

/** What the store indexes beside the content. */
export interface EventColumns {
  /** yyyy-MM-dd */
  startDate: string;
  endDate: string;
  time: string;
  isHeadline: boolean;
  countryId: number;
  categoryIds: number[];
  eventTypeIds: number[];
  /** Empty: every product. */
  productIds: number[];
  /** When the embargo lifts (epoch ms), or null. */
  embargoMs: number | null;
  /** summary, description, venue and organisationName, lower-cased, for `keyword`. */
  searchText: string;
}

export interface NormalizedEvent {
  itemId: number;
  content: EventContent;
  columns: EventColumns;
  /**
   * When the source last edited the event, if the import says so (`lastEditDateUtc`, epoch ms): a tombstone is not
   * revived by a copy the source edited before the deletion (a retry, a replayed feed). Stored nowhere: the event's
   * own edit instant stays Plangate's.
   */
  sourceEditedMs: number | null;
}

/** `lastEditDateUtc` as the wire writes it (UTC, no zone, up to milliseconds), else null: a server field, never refused. */
function sourceEditStamp(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?$/.test(value)) return null;
  const ms = Date.parse(`${value}Z`);
  return Number.isFinite(ms) ? ms : null;
}

export interface EventBatch {
  events: NormalizedEvent[];
  /** Unknown top-level fields, dropped: sorted, each once. */
  ignoredFields: string[];
}

type Kind = 'string' | 'int' | 'number' | 'bool' | 'nstring' | 'scalar';
type Shape = readonly (readonly [name: string, kind: Kind, required?: true])[];

const TIMEZONE: Shape = [
  ['timezoneID', 'int'],
  ['timezoneAbbreviation', 'string'],
  ['timezoneName', 'string'],
  ['timezoneOffset', 'number'],
  ['timezoneIdentity', 'scalar'],
];
const VENUE: Shape = [
  ['venueId', 'int'],
  ['locationLat', 'number'],
  ['locationLon', 'number'],
];
const ORGANISATION: Shape = [
  ['organisationID', 'int'],
  ['organisationName', 'string'],
  ['baseWebsite', 'string'],
  ['corporateWebsite', 'string'],
  ['irWebsite', 'string'],
  ['isin', 'string'],
  ['centralIndexKey', 'scalar'],
  ['twitterWebsite', 'string'],
];
const COUNTRY: Shape = [
  ['countryId', 'int'],
  ['countryName', 'string'],
  ['region', 'string'],
  ['countryCode', 'string'],
];
const PRESS_CONTACT: Shape = [
  ['pressContactID', 'int', true],
  ['organisationID', 'int'],
  ['pressContactName', 'string'],
  ['pressContactOffice', 'string'],
  ['pressContactTelephone', 'string'],
  ['pressContactMobile', 'string'],
  ['pressContactEmail', 'string'],
  ['pressContactTwitter', 'string'],
  ['pressContactLinkedIn', 'scalar'],
];
const CATEGORY: Shape = [
  ['categoryId', 'int', true],
  ['categoryName', 'string', true],
  ['categoryOrder', 'int'],
  ['categoryTypeId', 'int'],
  ['categoryTypeName', 'scalar'],
];
const EVENT_TYPE: Shape = [
  ['tagId', 'int', true],
  ['tagName', 'string', true],
  ['tagTypeId', 'int'],
  ['tagTypeName', 'scalar'],
];

const STRINGS = [
  'venue',
  'organisationName',
  'website',
  'website2',
  'twitterWebsite',
  'twitterHashTag',
  'facebookPage',
  'linkedInPage',
  'countryName',
];
const BOOLS = [
  'tbcTime',
  'tbcVenue',
  'eventConfirmed',
  'isAnnual',
  'isHeadline',
  'isTopStory',
  'isLive',
  'isNew',
  'isUpdated',
  'isProvisional',
  'isVirtual',
];
const INTS = ['organisationId', 'regionId', 'countryId', 'order'];
const KNOWN = new Set<string>([...EVENT_FIELDS, 'productIds', 'website1']);

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInt(v: unknown, min = INT32_MIN, max = INT32_MAX): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Collects the problems of one import, each naming its place (`[3].startDate`). */
class Issues {
  readonly list: FieldIssue[] = [];
  add(field: string, issue: string): undefined {
    this.list.push({ field, issue });
    return undefined;
  }
}

function scalar(issues: Issues, at: string, kind: Kind, v: unknown): unknown {
  const absent = v === undefined || v === null;
  switch (kind) {
    case 'string':
      if (absent) return '';
      return typeof v === 'string' ? v : issues.add(at, 'must be a string');
    case 'int':
      if (absent) return 0;
      return isInt(v) ? v : issues.add(at, 'must be an integer');
    case 'number':
      if (absent) return null;
      return typeof v === 'number' && Number.isFinite(v) ? v : issues.add(at, 'must be a number');
    case 'bool':
      if (absent) return false;
      return typeof v === 'boolean' ? v : issues.add(at, 'must be true or false');
    case 'nstring':
      if (absent) return null;
      return typeof v === 'string' ? v : issues.add(at, 'must be a string or null');
    case 'scalar':
      if (absent) return null;
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
        ? v
        : issues.add(at, 'must be a string, a number or null');
  }
}

/** A nested object reduced to its listed fields, in order; unknown fields dropped. */
function shaped(issues: Issues, at: string, shape: Shape, v: unknown): Record<string, unknown> | undefined {
  if (!isObject(v)) return issues.add(at, 'must be an object');
  const out: Record<string, unknown> = {};
  for (const [name, kind, required] of shape) {
    if (required && (v[name] === undefined || v[name] === null || v[name] === '')) {
      issues.add(`${at}.${name}`, 'required');
      continue;
    }
    out[name] = scalar(issues, `${at}.${name}`, kind, v[name]);
  }
  return out;
}

function shapedOrNull(issues: Issues, at: string, shape: Shape, v: unknown): Record<string, unknown> | null | undefined {
  return v === undefined || v === null ? null : shaped(issues, at, shape, v);
}

function shapedList(issues: Issues, at: string, shape: Shape, v: unknown): Record<string, unknown>[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    issues.add(at, 'must be an array');
    return [];
  }
  return v.map((item, i) => shaped(issues, `${at}[${i}]`, shape, item) ?? {});
}

function intList(issues: Issues, at: string, v: unknown, min = INT32_MIN): number[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => isInt(x, min))) {
    issues.add(at, min > 0 ? `must be an array of integers of at least ${min}` : 'must be an array of integers');
    return [];
  }
  return v as number[];
}

function parseDate(issues: Issues, at: string, v: unknown): string | undefined {
  const m = typeof v === 'string' ? DATE.exec(v) : null;
  const d = m ? calendarDate(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  return d ? isoDate(d) : issues.add(at, 'must be a date yyyy-MM-dd (or yyyy-MM-ddTHH:mm:ss) from 1900 to 2999');
}

/** `embargoTime`: naive `yyyy-MM-ddTHH:mm[:ss[.f]]`, the fraction dropped; as `[wire text, Date.UTC of its fields]`. */
function parseEmbargo(issues: Issues, at: string, v: unknown): [string, number] | null | undefined {
  if (v === undefined || v === null) return null;
  const m = typeof v === 'string' ? DATE_TIME.exec(v) : null;
  const d = m ? calendarDate(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  const [hh, mm, ss] = m ? [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)] : [0, 0, 0];
  if (!m || !d || hh > 23 || mm > 59 || ss > 59) return issues.add(at, 'must be a naive date and time yyyy-MM-ddTHH:mm:ss (no offset)');
  const text = `${isoDate(d)}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
  return [text, Date.UTC(d.year, d.month - 1, d.day, hh, mm, ss)];
}

function text(issues: Issues, at: string, v: unknown, max: number): string {
  const s = scalar(issues, at, 'string', v) as string | undefined;
  if (s !== undefined && s.length > max) {
    issues.add(at, `must be at most ${max} characters`);
    return '';
  }
  return s ?? '';
}

function normalizeOne(issues: Issues, at: string, raw: unknown, ignored: Set<string>): NormalizedEvent | undefined {
  if (!isObject(raw)) return issues.add(at, 'must be an event object');
  for (const name of Object.keys(raw)) if (!KNOWN.has(name)) ignored.add(name);
  const f = (name: string) => `${at}.${name}`;
  const before = issues.list.length;

  const itemId = raw.itemId;
  if (itemId === undefined || itemId === null) issues.add(f('itemId'), 'required');
  else if (!isInt(itemId, 1)) issues.add(f('itemId'), 'must be an integer from 1 to 2147483647');

  const summary = text(issues, f('summary'), raw.summary, 1000);
  const description = text(issues, f('description'), raw.description, 20_000);
  if (!summary && !description && !issues.list.some((i) => i.field === f('summary') || i.field === f('description'))) {
    issues.add(f('summary'), 'summary or description must be non-empty');
  }

  const startDate =
    raw.startDate === undefined || raw.startDate === null
      ? issues.add(f('startDate'), 'required')
      : parseDate(issues, f('startDate'), raw.startDate);
  const endDate = raw.endDate === undefined || raw.endDate === null ? startDate : parseDate(issues, f('endDate'), raw.endDate);
  if (startDate && endDate && endDate < startDate) issues.add(f('endDate'), 'must not be before startDate');

  let time = '';
  if (raw.time !== undefined && raw.time !== null && raw.time !== '') {
    if (typeof raw.time === 'string' && TIME.test(raw.time)) time = raw.time;
    else issues.add(f('time'), 'must be HH:mm, or "" for an all-day event');
  }

  const timezone = shapedOrNull(issues, f('timezone'), TIMEZONE, raw.timezone);
  const offset = timezone?.timezoneOffset;
  if (typeof offset === 'number' && (offset < -14 || offset > 14))
    issues.add(f('timezone.timezoneOffset'), 'must be from -14 to 14 (hours)');
  if (time && timezone === null) issues.add(f('timezone'), 'required when time is given');
  const embargo = parseEmbargo(issues, f('embargoTime'), raw.embargoTime);

  const strings: Record<string, string> = {};
  for (const name of STRINGS) strings[name] = scalar(issues, f(name), 'string', raw[name]) as string;
  if (!strings.website && raw.website1 !== undefined && raw.website1 !== null)
    strings.website = scalar(issues, f('website1'), 'string', raw.website1) as string;
  const bools: Record<string, boolean> = {};
  for (const name of BOOLS) bools[name] = scalar(issues, f(name), 'bool', raw[name]) as boolean;
  const ints: Record<string, number> = {};
  for (const name of INTS) ints[name] = scalar(issues, f(name), 'int', raw[name]) as number;

  const venueData = shapedList(issues, f('venueData'), VENUE, raw.venueData);
  const organisation = shapedOrNull(issues, f('organisation'), ORGANISATION, raw.organisation);
  const plannedBy = intList(issues, f('plannedBy'), raw.plannedBy);
  const country = shapedOrNull(issues, f('country'), COUNTRY, raw.country);
  const pressContacts = shapedList(issues, f('pressContacts'), PRESS_CONTACT, raw.pressContacts);
  const categories = shapedList(issues, f('categories'), CATEGORY, raw.categories);
  const primaryCategory = shapedOrNull(issues, f('primaryCategory'), CATEGORY, raw.primaryCategory);
  const eventTypes = shapedList(issues, f('eventTypes'), EVENT_TYPE, raw.eventTypes);
  const locale = scalar(issues, f('locale'), 'nstring', raw.locale);
  const productIds = [...new Set(intList(issues, f('productIds'), raw.productIds, 1))].sort((a, b) => a - b);

  if (issues.list.length > before) return undefined;

  const content: EventContent = {
    itemId,
    summary,
    description,
    startDate: `${startDate}T00:00:00`,
    endDate: `${endDate}T00:00:00`,
    time,
    tbcTime: bools.tbcTime,
    embargoTime: embargo ? embargo[0] : null,
    timezone,
    venue: strings.venue,
    tbcVenue: bools.tbcVenue,
    venueData,
    organisationId: ints.organisationId,
    organisationName: strings.organisationName,
    organisation,
    eventConfirmed: bools.eventConfirmed,
    isAnnual: bools.isAnnual,
    isHeadline: bools.isHeadline,
    isTopStory: bools.isTopStory,
    isLive: bools.isLive,
    isNew: bools.isNew,
    isUpdated: bools.isUpdated,
    isProvisional: bools.isProvisional,
    isVirtual: bools.isVirtual,
    plannedBy,
    website: strings.website,
    website2: strings.website2,
    twitterWebsite: strings.twitterWebsite,
    twitterHashTag: strings.twitterHashTag,
    facebookPage: strings.facebookPage,
    linkedInPage: strings.linkedInPage,
    regionId: ints.regionId,
    countryId: ints.countryId,
    countryName: strings.countryName,
    country,
    indicator: raw.indicator ?? null,
    period: raw.period ?? null,
    pressContacts,
    categories,
    primaryCategory,
    eventTypes,
    influencers: raw.influencers ?? [],
    order: ints.order,
    locale,
  };
  const categoryIds = [...categories, ...(primaryCategory ? [primaryCategory] : [])].map((c) => c.categoryId as number);
  return {
    itemId: itemId as number,
    content,
    sourceEditedMs: sourceEditStamp(raw.lastEditDateUtc),
    columns: {
      startDate: startDate!,
      endDate: endDate!,
      time,
      isHeadline: bools.isHeadline,
      countryId: ints.countryId,
      categoryIds: [...new Set(categoryIds)],
      eventTypeIds: [...new Set(eventTypes.map((t) => t.tagId as number))],
      productIds,
      embargoMs: embargo ? embargo[1] - (typeof offset === 'number' ? offset : 0) * 3_600_000 : null,
      searchText: [summary, description, strings.venue, strings.organisationName].join('\n').toLowerCase(),
    },
  };
}

/**
 * Validates and normalises one import (docs/forward-planner.md "on import"): a JSON array of 1–5,000 events. All or nothing: any
 * problem (an invalid element, a duplicate itemId, not an array) is INVALID naming every place; over 5,000 is
 * PAYLOAD_TOO_LARGE.
 */
export function normalizeEventImport(input: unknown): EventBatch {
  if (!Array.isArray(input))
    throw DomainError.invalid([{ field: 'body', issue: 'must be a JSON array of events' }], 'the body must be a JSON array of events');
  if (input.length === 0) throw DomainError.invalid([{ field: 'body', issue: 'must hold at least one event' }], 'the body holds no event');
  if (input.length > EVENT_IMPORT_MAX) {
    throw new DomainError('PAYLOAD_TOO_LARGE', `at most ${EVENT_IMPORT_MAX} events per import (got ${input.length}): send them in chunks`);
  }
  const issues = new Issues();
  const ignored = new Set<string>();
  const seen = new Map<number, number>();
  const events: NormalizedEvent[] = [];
  input.forEach((raw, i) => {
    const event = normalizeOne(issues, `[${i}]`, raw, ignored);
    if (!event) return;
    const first = seen.get(event.itemId);
    if (first !== undefined) issues.add(`[${i}].itemId`, `duplicate itemId ${event.itemId} (also at [${first}])`);
    else seen.set(event.itemId, i);
    events.push(event);
  });
  if (issues.list.length) {
    throw DomainError.invalid(issues.list.slice(0, 100), `${issues.list.length} problem(s) in the import: nothing was written`);
  }
  return { events, ignoredFields: [...ignored].sort() };
}
