import { pausedState, type Floor, type Lead, type MemberProject, type ProjectCollection, type ProjectSite, type Unit } from '#projects';
import { type Principal } from '#identity';
import { UNIT_EXTRAS, VIEWER_SETTINGS } from './planpoint-inputs.js';
import { bedOf, sdkStatus } from './unit-vocabularies.js';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** Every typed viewer setting (default when unset), then the legacy keys that were set. */
function viewerSettings(stored: Record<string, unknown>, anonymous: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(VIEWER_SETTINGS))
    out[key] = key in stored ? stored[key] : 'default' in spec ? spec.default : null;
  for (const [key, value] of Object.entries(stored)) {
    if (key in VIEWER_SETTINGS) continue;
    if (anonymous && key === 'formsSendTo') continue;
    out[key] = value;
  }
  return out;
}

export function toUnitJson(u: Unit): Record<string, unknown> {
  const out: Record<string, unknown> = {
    _id: u.publicId,
    project: u.projectPublicId,
    floor: u.floorPublicId,
    name: u.name,
    unitNumber: u.name,
    status: sdkStatus(u.effectiveStatus),
    availability: u.effectiveStatus,
    bed: bedOf(u.bedrooms),
    bedrooms: u.bedrooms,
    bath: u.bath,
    bathrooms: u.bath,
    sqft: u.sqft,
    squareFeet: u.sqft,
    price: u.price,
    parking: u.parking,
    orientation: u.orientation,
    model: u.model,
    unitmodels: u.unitmodels.map((m) => ({ _id: m._id, name: m.name, floorplan: m.floorplan })),
    onHoldExpiresAt: iso(u.onHoldExpiresAt),
    position: u.position,
    createdAt: iso(u.createdAt),
    updatedAt: iso(u.updatedAt),
  };
  for (const key of UNIT_EXTRAS) if (u.extra[key] !== undefined && u.extra[key] !== null) out[key] = u.extra[key];
  return out;
}

export function toFloorJson(f: Floor): Record<string, unknown> {
  return {
    _id: f.publicId,
    project: f.projectPublicId,
    name: f.name,
    level: f.level,
    position: f.position,
    path: f.path,
    alternativePaths: f.alternativePaths,
    image: f.image,
    createdAt: iso(f.createdAt),
    updatedAt: iso(f.updatedAt),
  };
}

/** The full project document: floors with their units nested, commercial spaces, collections, viewer settings. */
export function toProjectJson(p: ProjectSite, floors: Floor[], units: Unit[], anonymous = false): Record<string, unknown> {
  const byFloor = new Map<number, Unit[]>();
  for (const u of units) byFloor.set(u.floorId, [...(byFloor.get(u.floorId) ?? []), u]);
  return {
    _id: p.publicId,
    name: p.title,
    namespace: p.namespace,
    hostName: p.slug,
    user: p.ownerPublicId,
    description: p.description,
    status: p.status,
    published: p.published,
    paused: pausedState(p),
    ...viewerSettings(p.viewerSettings, anonymous),
    floors: floors.map((f) => ({
      _id: f.publicId,
      name: f.name,
      level: f.level,
      position: f.position,
      path: f.path,
      image: f.image,
      units: (byFloor.get(f.id) ?? []).map(toUnitJson),
    })),
    commercialSpaces: p.commercialSpaces.map((c) => ({
      _id: c._id,
      name: c.name,
      status: sdkStatus(c.status),
      price: c.price,
      sqft: c.sqft,
    })),
    collections: p.collections.map((c) => ({ _id: c._id, name: c.name, units: c.units })),
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

function toMemberJson(m: MemberProject): Record<string, unknown> {
  return {
    _id: m.publicId,
    name: m.title,
    namespace: m.namespace,
    hostName: m.slug,
    paused: m.paused,
    published: m.published,
    projectImageUrl: m.projectImageUrl,
  };
}

/** A group or an enterprise; the flags say what the caller may do (all false anonymously). */
export function toGroupJson(g: ProjectCollection, viewer: Principal | undefined): Record<string, unknown> {
  const mine = viewer?.accountId === g.accountId;
  const common = { _id: g.publicId, user: g.userPublicId, name: g.name, namespace: g.namespace, hostName: g.hostName };
  if (g.kind === 'enterprise') {
    return {
      ...common,
      enterpriseImageUrl: g.imageUrl,
      published: g.published,
      groups: g.groups.map((x) => toGroupJson(x, viewer)),
      projects: g.projects.map(toMemberJson),
      createdAt: iso(g.createdAt),
      updatedAt: iso(g.updatedAt),
    };
  }
  return {
    ...common,
    type: g.type,
    propertyType: g.propertyType,
    groupImageUrl: g.imageUrl,
    published: g.published,
    projects: g.projects.map(toMemberJson),
    isOwner: mine && viewer?.userId === g.userId,
    isAdmin: mine && viewer?.role === 'admin',
    isEditor: mine && (viewer?.role === 'admin' || viewer?.role === 'tpa editor'),
    createdAt: iso(g.createdAt),
    updatedAt: iso(g.updatedAt),
  };
}

export function toLeadJson(l: Lead): Record<string, unknown> {
  return {
    _id: l.publicId,
    project: l.projectPublicId,
    name: l.name,
    email: l.email,
    phone: l.phone,
    message: l.message,
    unit: l.unitPublicId,
    createdAt: iso(l.createdAt),
  };
}
