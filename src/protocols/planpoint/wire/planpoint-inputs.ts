import {
  hostNamePattern,
  isObjectId,
  PROJECT_LIMITS,
  PROJECT_STATUSES,
  type CollectionKind,
  type ExplicitHostName,
  type FloorInput,
  type LeadInput,
  type ListElementInput,
  type ProjectChanges,
  type ProjectCollectionInput,
  type ProjectStatus,
  type StoredStatus,
  type UnitInput,
} from '#projects';
import { Fields, invalid, isEmail, isPlainObject, jsonBytes, parseRef } from './planpoint-fields.js';
import { bedOf, parseStatus, sdkStatus } from './unit-vocabularies.js';

/** How many elements a request may send (docs/planpoint.md); a project's floors and units are capped by the store. */
const PLANPOINT_LIMITS = { commercialSpaces: 500, collections: 100, batch: 1000, units: PROJECT_LIMITS.units } as const;

/** Planpoint's hostName rule (docs/planpoint.md): dots and underscores allowed, unlike Planfix's `<hostName>`. */
const PLANPOINT_HOST_NAME = hostNamePattern('a-z0-9._-');

/** Keys a client may echo back from an answer: ignored on every write (docs/planpoint.md). */
const READ_ONLY = new Set([
  '_id',
  '__v',
  'user',
  'namespace',
  'floors',
  'paused',
  'isOwner',
  'isAdmin',
  'isEditor',
  'createdAt',
  'updatedAt',
]);

type SettingSpec = { kind: 'string'; default: string } | { kind: 'bool'; default: boolean } | { kind: 'text' } | { kind: 'i18n' };

/** The viewer settings with a type (docs/planpoint.md); other keys of the legacy pattern are kept verbatim. */
export const VIEWER_SETTINGS: Record<string, SettingSpec> = {
  projectLang: { kind: 'string', default: 'English' },
  styleNavigation: { kind: 'string', default: 'Style 1' },
  initialView: { kind: 'string', default: 'List' },
  ...Object.fromEntries(
    ['showPrices', 'showAvailability', 'showBathrooms', 'showParking', 'showOrientation', 'sharePageEnabled', 'enableForms'].map((k) => [
      k,
      { kind: 'bool', default: true },
    ]),
  ),
  hideSold: { kind: 'bool', default: false },
  ...Object.fromEntries(
    [
      'logo',
      'coverImage',
      'websiteURL',
      'customDomain',
      'projectImageUrl',
      'colorBase',
      'colorAccent',
      'colorButton',
      'colorAvailable',
      'colorSold',
      'colorReserved',
      'projectType',
      'propertyType',
      'statusOverride',
    ].map((k) => [k, { kind: 'text' }]),
  ),
  customButtonTxt: { kind: 'i18n' },
  internalURLs: { kind: 'i18n' },
};
const LEGACY_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const LANGUAGES = new Set(['en', 'fr', 'de', 'es', 'zh']);
const PROJECT_FIELDS = new Set(['name', 'hostName', 'description', 'status', 'published', 'commercialSpaces', 'collections']);

function checkSetting(key: string, spec: SettingSpec | undefined, value: unknown): void {
  if (value === null) return;
  if (!spec) {
    if (jsonBytes(value) > 64 * 1024) throw invalid(`${key} must be at most 64 KiB`, key);
    return;
  }
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string' || value.length > 2048) throw invalid(`${key} must be a string`, key);
      return;
    case 'text':
      if (typeof value !== 'string' || value.length > 2048) throw invalid(`${key} must be a string`, key);
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw invalid(`${key} must be a boolean`, key);
      return;
    case 'i18n':
      if (
        !isPlainObject(value) ||
        Object.entries(value).some(([k, v]) => !LANGUAGES.has(k) || (v !== null && (typeof v !== 'string' || v.length > 2048)))
      ) {
        throw invalid(`${key} must be an object of optional strings en, fr, de, es, zh`, key);
      }
      return;
  }
}

/** `hostName` of a project, group or enterprise: a string of at most 63 here, its pattern where it is stored. */
function parseHostName(f: Fields): ExplicitHostName | undefined {
  const hostName = f.raw('hostName');
  if (hostName === undefined || hostName === null) return undefined;
  if (typeof hostName !== 'string' || hostName.length > 63) throw invalid(`hostName must match ${PLANPOINT_HOST_NAME.source}`, 'hostName');
  return { value: hostName, pattern: PLANPOINT_HOST_NAME };
}

/** A project as Planpoint writes it: the record's fields, the title under the name `name`. */
export type PlanpointProjectInput = Pick<
  ProjectChanges,
  'hostName' | 'description' | 'status' | 'published' | 'viewerSettings' | 'commercialSpaces' | 'collections'
> & { name?: string };

/** A project body (create or PATCH): the project's own fields, viewer settings, commercial spaces, collections. */
export function parseProjectInput(body: Record<string, unknown>, create: boolean): PlanpointProjectInput {
  const f = new Fields(body);
  const input: PlanpointProjectInput = {};
  const name = f.raw('name');
  if (create || name !== undefined) {
    if (typeof name !== 'string' || name.trim().length < 1 || name.trim().length > 255)
      throw invalid('name must be a string of 1 to 255 characters', 'name');
    input.name = name.trim();
  }
  const hostName = parseHostName(f);
  if (hostName) input.hostName = hostName;
  if (f.has('description')) input.description = f.string('description', 10_000);
  const status = f.raw('status');
  if (status !== undefined && status !== null) {
    if (typeof status !== 'string' || !PROJECT_STATUSES.includes(status.toUpperCase() as ProjectStatus))
      throw invalid('status must be ACTIVE, DRAFT or COMPLETED', 'status');
    input.status = status.toUpperCase() as ProjectStatus;
  } else if (status === null && !create) input.status = 'ACTIVE';
  if (f.has('published')) input.published = f.boolean('published') ?? true;

  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (READ_ONLY.has(key) || PROJECT_FIELDS.has(key) || value === undefined) continue;
    if (!LEGACY_KEY.test(key)) throw invalid(`${key} is not an allowed key`, key);
    checkSetting(key, VIEWER_SETTINGS[key], value);
    settings[key] = value;
  }
  if (Object.keys(settings).length > 200 || jsonBytes(settings) > 256 * 1024)
    throw invalid('viewer settings must be at most 200 keys and 256 KiB', 'settings');
  if (Object.keys(settings).length) input.viewerSettings = settings;

  if (f.has('commercialSpaces')) input.commercialSpaces = parseSpaces(f.raw('commercialSpaces'));
  if (f.has('collections')) input.collections = parseCollections(f.raw('collections'));
  return input;
}

/** The project's fields under the record's names. */
export function projectChanges({ name, ...fields }: PlanpointProjectInput): ProjectChanges {
  return { title: name, ...fields };
}

function listOf(value: unknown, field: string, max: number): unknown[] {
  if (value === null) return [];
  if (!Array.isArray(value) || value.length > max) throw invalid(`${field} must be a list of at most ${max} elements`, field);
  return value;
}

function elementId(e: Record<string, unknown>, field: string): string | undefined {
  if (e._id === undefined || e._id === null) return undefined;
  if (!isObjectId(e._id)) throw invalid(`${field} must be objects or ids`, field);
  return e._id.toLowerCase();
}

function parseSpaces(
  value: unknown,
): ListElementInput<{ _id: string; name: string | null; status: StoredStatus; price: number | null; sqft: number | null }>[] {
  return listOf(value, 'commercialSpaces', PLANPOINT_LIMITS.commercialSpaces).map((e) => {
    if (isObjectId(e)) return e.toLowerCase();
    if (!isPlainObject(e)) throw invalid('commercialSpaces must be objects or ids', 'commercialSpaces');
    const f = new Fields(e);
    const out: Record<string, unknown> = { _id: elementId(e, 'commercialSpaces') };
    if (f.has('name')) out.name = f.string('name', 255);
    const status = f.raw('status');
    if (status !== undefined && status !== null) {
      const parsed = typeof status === 'string' ? parseStatus(status) : undefined;
      if (!parsed) throw invalid('status must be Available, OnHold, Sold, Leased or Unavailable', 'status');
      out.status = parsed;
    }
    if (f.has('price')) out.price = f.number('price');
    if (f.has('sqft')) out.sqft = f.number('sqft');
    if (out._id === undefined) delete out._id;
    return out;
  });
}

function parseCollections(value: unknown): ListElementInput<{ _id: string; name: string | null; units: string[] }>[] {
  return listOf(value, 'collections', PLANPOINT_LIMITS.collections).map((e) => {
    if (isObjectId(e)) return e.toLowerCase();
    if (!isPlainObject(e)) throw invalid('collections must be objects or ids', 'collections');
    const f = new Fields(e);
    const out: Record<string, unknown> = { _id: elementId(e, 'collections') };
    if (f.has('name')) out.name = f.string('name', 255);
    if (f.has('units')) {
      const units = listOf(f.raw('units'), 'collections', PLANPOINT_LIMITS.units);
      if (units.some((u) => !isObjectId(u))) throw invalid('collections must name units by id', 'collections');
      out.units = units;
    }
    if (out._id === undefined) delete out._id;
    return out;
  });
}

export function parseFloorInput(body: Record<string, unknown>, create: boolean): FloorInput {
  const f = new Fields(body);
  const input: FloorInput = {};
  if (create || f.has('name')) {
    const name = f.raw('name');
    if (typeof name !== 'string' || name.trim().length < 1 || name.length > 255)
      throw invalid('name must be a string of 1 to 255 characters', 'name');
    input.name = name.trim();
  }
  if (f.has('level')) input.level = f.number('level', true);
  if (f.has('position')) input.position = f.number('position', true);
  if (f.has('path')) input.path = f.string('path', 100_000);
  if (f.has('alternativePaths')) input.alternativePaths = f.strings('alternativePaths', 50, 100_000);
  if (f.has('image')) input.image = f.string('image', 2048);
  return input;
}

/** One of a vocabulary pair: both given must agree (400 `<sdk> and <legacy> disagree`). */
function pair<T>(
  f: Fields,
  sdk: string,
  legacy: string,
  read: (key: string) => T | null | undefined,
  same: (a: T, b: T) => boolean,
): T | null | undefined {
  const a = f.has(sdk) ? read(sdk) : undefined;
  const b = f.has(legacy) ? read(legacy) : undefined;
  if (a !== undefined && b !== undefined && !(a === null ? b === null : b !== null && same(a, b)))
    throw invalid(`${sdk} and ${legacy} disagree`, sdk);
  return a !== undefined ? a : b;
}

const UNIT_TEXT_EXTRAS = [
  'type',
  'specificType',
  'path',
  'lotPath',
  'unitImageUrl',
  'layoutUrl',
  'downloadableAsset',
  'brochurePDF',
  'embedCode',
  'customButtonUrl',
  'customButtonSnippet',
  'inclusions',
  'deliveryDate',
  'description',
  'perimeter',
  'svgLotId',
];
const UNIT_LIST_EXTRAS = ['layoutGallery', 'images', 'clonedImages', 'finishes', 'clonedFinishes'];
export const UNIT_EXTRAS = [
  'isFeatured',
  'unitPriceTBD',
  ...UNIT_TEXT_EXTRAS,
  'payableAmount',
  'lon',
  'lat',
  ...UNIT_LIST_EXTRAS,
  'additionalInfo',
  'customFinishes',
];

/** A unit body in either vocabulary (docs/planpoint.md), mapped to stored terms. Unknown keys are ignored. */
export function parseUnitInput(body: Record<string, unknown>, create: boolean): UnitInput & { floorRef?: string } {
  const f = new Fields(body);
  const input: UnitInput & { floorRef?: string } = {};
  const name = pair(
    f,
    'unitNumber',
    'name',
    (k) => f.string(k, 255),
    (a, b) => a === b,
  );
  if (name !== undefined) input.name = name;
  const status = pair(
    f,
    'status',
    'availability',
    (k) => {
      const v = f.raw(k);
      if (v === null) return null;
      const parsed = typeof v === 'string' ? parseStatus(v) : undefined;
      if (!parsed) throw invalid(`${k} must be Available, OnHold, Sold, Leased or Unavailable`, k);
      return parsed;
    },
    (a, b) => sdkStatus(a) === sdkStatus(b),
  );
  // Prefer the legacy word when both are given (it is the finer one: Reserved vs On Hold).
  const legacyStatus = f.has('availability')
    ? f.raw('availability') === null
      ? null
      : parseStatus(String(f.raw('availability')))
    : undefined;
  if (status !== undefined) {
    input.status = legacyStatus !== undefined ? legacyStatus : status;
    input.onHoldExpiresAt = null;
  }
  if (f.has('onHoldExpiresAt')) input.onHoldExpiresAt = f.date('onHoldExpiresAt');

  const bed = f.has('bed') ? f.number('bed') : undefined;
  let bedrooms: string | null | undefined;
  if (f.has('bedrooms')) {
    const v = f.raw('bedrooms');
    if (v === null) bedrooms = null;
    else if (typeof v === 'number' && Number.isFinite(v) && v >= 0) bedrooms = String(v);
    else if (typeof v === 'string' && v.length <= 32) bedrooms = v;
    else throw invalid('bedrooms must be a string of up to 32 characters or a number', 'bedrooms');
  }
  if (bed !== undefined && bedrooms !== undefined && !(bed === null ? bedrooms === null : bedrooms !== null && bedOf(bedrooms) === bed)) {
    throw invalid('bed and bedrooms disagree', 'bed');
  }
  if (bedrooms !== undefined) input.bedrooms = bedrooms;
  else if (bed !== undefined) input.bedrooms = bed === null ? null : String(bed);

  const bath = pair(
    f,
    'bath',
    'bathrooms',
    (k) => f.number(k),
    (a, b) => a === b,
  );
  if (bath !== undefined) input.bath = bath;
  const sqft = pair(
    f,
    'sqft',
    'squareFeet',
    (k) => f.number(k),
    (a, b) => a === b,
  );
  if (sqft !== undefined) input.sqft = sqft;
  if (f.has('price')) input.price = f.number('price');
  if (f.has('parking')) input.parking = f.number('parking');
  if (f.has('orientation')) input.orientation = f.string('orientation', 255);
  if (f.has('model')) input.model = f.string('model', 255);
  if (f.has('position')) input.position = f.number('position', true);
  if (f.has('unitmodels')) {
    const models = f.raw('unitmodels');
    input.unitmodels =
      models === null
        ? null
        : listOf(models, 'unitmodels', 200).map((e) => {
            if (isObjectId(e)) return e.toLowerCase();
            if (!isPlainObject(e)) throw invalid("unitmodels must be objects or ids of the unit's own models", 'unitmodels');
            const m = new Fields(e);
            const out: Record<string, unknown> = { _id: elementId(e, 'unitmodels') };
            if (m.has('name')) out.name = m.string('name', 255);
            if (m.has('floorplan')) out.floorplan = m.string('floorplan', 2048);
            if (out._id === undefined) delete out._id;
            return out;
          });
  }
  const extra: Record<string, unknown> = {};
  for (const key of ['isFeatured', 'unitPriceTBD']) if (f.has(key)) extra[key] = f.boolean(key);
  for (const key of UNIT_TEXT_EXTRAS) if (f.has(key)) extra[key] = f.string(key, 100_000);
  if (f.has('payableAmount')) extra.payableAmount = f.number('payableAmount');
  for (const key of ['lon', 'lat']) if (f.has(key)) extra[key] = f.number(key, true);
  for (const key of UNIT_LIST_EXTRAS) if (f.has(key)) extra[key] = f.strings(key, 200, 100_000);
  if (f.has('additionalInfo')) {
    const v = f.raw('additionalInfo');
    if (
      v !== null &&
      (!Array.isArray(v) ||
        v.length > 200 ||
        v.some((x) => !isPlainObject(x) || Object.keys(x).some((k) => k !== 'label' && k !== 'value')))
    ) {
      throw invalid('additionalInfo must be a list of {label, value}', 'additionalInfo');
    }
    extra.additionalInfo = v;
  }
  if (f.has('customFinishes')) {
    const v = f.raw('customFinishes');
    if (v !== null && (!isPlainObject(v) || jsonBytes(v) > 64 * 1024))
      throw invalid('customFinishes must be an object of at most 64 KiB', 'customFinishes');
    extra.customFinishes = v;
  }
  if (Object.keys(extra).length) input.extra = extra;
  if (create) {
    const floor = parseRef(f.raw('floor'), 'floor');
    if (!floor) throw invalid('floor is required', 'floor');
    input.floorRef = floor;
  } else if (f.has('floor') && f.raw('floor') !== null) {
    input.floor = parseRef(f.raw('floor'), 'floor');
  }
  return input;
}

const GROUP_FIELDS: Record<CollectionKind, string> = { group: 'groupImageUrl', enterprise: 'enterpriseImageUrl' };

function idList(value: unknown, field: string, notFound: string): string[] {
  if (value === null) return [];
  if (!Array.isArray(value) || value.length > 1000) throw invalid(`${field} must be a list of ids`, field);
  return value.map((e) => {
    const id = isPlainObject(e) ? e._id : e;
    if (typeof id !== 'string') throw invalid(`${field} must be a list of ids`, field);
    // An id that is no id names nothing: like an unknown one.
    return isObjectId(id) ? id.toLowerCase() : notFound;
  });
}

export function parseGroupInput(kind: CollectionKind, body: Record<string, unknown>, create: boolean): ProjectCollectionInput {
  const f = new Fields(body);
  const input: ProjectCollectionInput = {};
  if (create || f.has('name')) {
    const name = f.raw('name');
    if (typeof name !== 'string' || name.trim().length < 3 || name.trim().length > 120)
      throw invalid('name must be a string of 3 to 120 characters', 'name');
    input.name = name.trim();
  }
  const hostName = parseHostName(f);
  if (hostName) input.hostName = hostName;
  if (f.has('type')) input.type = f.string('type', 64);
  if (f.has('propertyType')) input.propertyType = f.string('propertyType', 64);
  if (f.has(GROUP_FIELDS[kind])) input.imageUrl = f.string(GROUP_FIELDS[kind], 2048);
  if (f.has('published')) input.published = f.boolean('published') ?? true;
  if (f.has('projects')) input.projects = idList(f.raw('projects'), 'projects', '0'.repeat(23));
  if (kind === 'enterprise' && f.has('groups')) input.groups = idList(f.raw('groups'), 'groups', '0'.repeat(23));
  return input;
}

/** `{namespace, hostName}` of the public finds: non-empty strings ≤ 255, else 400. */
export function parseFindBody(body: Record<string, unknown>): { namespace: string; hostName: string } {
  const { namespace, hostName } = body;
  const ok = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= 255;
  if (!ok(namespace) || !ok(hostName)) throw invalid('namespace and hostName are required', 'namespace');
  return { namespace, hostName };
}

/** `{namespace + hostName}` or `{project}`: how the unit find and the lead form name their project. */
export function parseProjectLocator(body: Record<string, unknown>): { namespace: string; hostName: string } | { project: string } {
  if (body.project !== undefined && body.project !== null && body.namespace === undefined && body.hostName === undefined) {
    const project = parseRef(body.project, 'project');
    return { project: project! };
  }
  return parseFindBody(body);
}

export function parseUnitFindFilters(body: Record<string, unknown>): { floor?: string; status?: StoredStatus } {
  const out: { floor?: string; status?: StoredStatus } = {};
  if (body.floor !== undefined && body.floor !== null) out.floor = parseRef(body.floor, 'floor');
  if (body.status !== undefined && body.status !== null) {
    const s = typeof body.status === 'string' ? parseStatus(body.status) : undefined;
    if (!s) throw invalid('status must be Available, OnHold, Sold, Leased or Unavailable', 'status');
    out.status = s;
  }
  return out;
}

export function parseLeadInput(body: Record<string, unknown>): LeadInput {
  const f = new Fields(body);
  const name = f.raw('name');
  if (typeof name !== 'string' || name.trim().length < 1 || name.length > 255)
    throw invalid('name must be a string of 1 to 255 characters', 'name');
  const email = f.raw('email');
  if (typeof email !== 'string' || !isEmail(email.trim())) throw invalid('email must be a valid e-mail address', 'email');
  const unit = f.raw('unit');
  return {
    name: name.trim(),
    email: email.trim(),
    phone: f.string('phone', 50) ?? null,
    message: f.string('message', 5000) ?? null,
    unit: unit === undefined || unit === null ? null : (parseRef(unit, 'unit') ?? null),
  };
}

/** `{ids, patchData}` of the batch: 1–1,000 ids, an object patch (validated as one PATCH). */
export function parseBatch(body: Record<string, unknown>): { ids: string[]; patch: UnitInput } {
  const { ids, patchData } = body;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > PLANPOINT_LIMITS.batch)
    throw invalid(`ids must be a list of 1 to ${PLANPOINT_LIMITS.batch} ids`, 'ids');
  if (ids.some((id) => !isObjectId(id))) throw invalid('Invalid id', 'ids');
  if (!isPlainObject(patchData)) throw invalid('patchData must be an object', 'patchData');
  return { ids: (ids as string[]).map((id) => id.toLowerCase()), patch: parseUnitInput(patchData, false) };
}
