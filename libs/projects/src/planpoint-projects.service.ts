import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { isObjectId, newObjectId } from './object-id.js';
import { type ProjectStatus } from './projects.service.js';
import { freeSlug, slugify } from './slug.js';
import { type StoredStatus } from './unit-status.js';

/** Planpoint's hostName rule (docs/planpoint.md): wider than Planfix's (dots and underscores allowed). */
export const PLANPOINT_HOST_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const PLANPOINT_LIMITS = { floors: 500, units: 5000, commercialSpaces: 500, collections: 100, batch: 1000 } as const;

export interface CommercialSpace {
  _id: string;
  name: string | null;
  status: StoredStatus;
  price: number | null;
  sqft: number | null;
}
export interface Collection {
  _id: string;
  name: string | null;
  units: string[];
}
/** A list element as written: an object (`_id` known → update, none → new) or a bare id (kept as is). */
export type ListElementInput<T> = string | (Partial<Omit<T, '_id'>> & { _id?: string });

export interface SiteProject {
  id: number;
  accountId: string;
  publicId: string;
  name: string;
  namespace: string;
  hostName: string;
  ownerPublicId: string;
  description: string | null;
  status: ProjectStatus;
  published: boolean;
  paused: boolean;
  pausedReason: string | null;
  viewerSettings: Record<string, unknown>;
  commercialSpaces: CommercialSpace[];
  collections: Collection[];
  createdAt: Date;
  updatedAt: Date;
}

export interface SiteProjectInput {
  name?: string;
  hostName?: string;
  description?: string | null;
  status?: ProjectStatus;
  published?: boolean;
  /** Merged key by key; `null` removes a key (back to its default). */
  viewerSettings?: Record<string, unknown>;
  commercialSpaces?: ListElementInput<CommercialSpace>[];
  collections?: ListElementInput<Collection>[];
}

interface SiteProjectRow {
  id: string;
  account_id: string;
  public_id: string;
  title: string;
  slug: string;
  description: string | null;
  status: ProjectStatus;
  published: boolean;
  paused: boolean;
  paused_reason: string | null;
  viewer_settings: Record<string, unknown>;
  commercial_spaces: CommercialSpace[];
  collections: Collection[];
  created_at: Date;
  updated_at: Date;
  namespace: string;
  owner_public_id: string;
}

export const SITE_PROJECT_SELECT = `SELECT p.id, p.account_id, p.public_id, p.title, p.slug, p.description, p.status, p.published, p.paused,
       p.paused_reason, p.viewer_settings, p.commercial_spaces, p.collections, p.created_at, p.updated_at,
       a.planpoint_namespace AS namespace, u.public_id AS owner_public_id
  FROM projects p
  JOIN accounts a ON a.id = p.account_id
  JOIN users u ON u.id = p.owner_user_id`;

function toSiteProject(r: SiteProjectRow): SiteProject {
  return {
    id: Number(r.id),
    accountId: r.account_id,
    publicId: r.public_id,
    name: r.title,
    namespace: r.namespace,
    hostName: r.slug,
    ownerPublicId: r.owner_public_id,
    description: r.description,
    status: r.status,
    published: r.published,
    paused: r.paused,
    pausedReason: r.paused_reason,
    viewerSettings: r.viewer_settings ?? {},
    commercialSpaces: r.commercial_spaces ?? [],
    collections: r.collections ?? [],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function badField(message: string, field = message.split(' ')[0]): DomainError {
  return DomainError.invalid([{ field, issue: message }], message);
}

/** Who may see an object found by namespace and hostName: its account's callers always, anyone when published. */
export function canSee(published: boolean, accountId: string, viewer: Principal | undefined): boolean {
  return published || viewer?.accountId === accountId;
}

/**
 * Planpoint's side of the shared projects (the rows Planfix serves as projects): found by the account's namespace and
 * the slug (hostName), addressed by `public_id`, with the viewer settings, commercial spaces and collections as JSON.
 * A project made here takes the account's next Planfix `general`, so Planfix lists it at once.
 */
@Injectable()
export class PlanpointProjectsService {
  constructor(private readonly store: StoreService) {}

  async listMine(p: Principal): Promise<SiteProject[]> {
    const rows = await this.store.query<SiteProjectRow>(
      `${SITE_PROJECT_SELECT} WHERE p.account_id = $1 ORDER BY p.created_at, p.public_id`,
      [p.accountId],
    );
    return rows.map(toSiteProject);
  }

  async get(p: Principal, publicId: string, tx?: Tx, lock = false): Promise<SiteProject> {
    const row = await this.row(p.accountId, publicId, tx, lock);
    if (!row) throw DomainError.notFound('project', 'Project not found');
    return row;
  }

  /** The account's project by `_id`, or undefined (another account's id is unknown here). */
  async row(accountId: string, publicId: string, tx?: Tx, lock = false): Promise<SiteProject | undefined> {
    if (!isObjectId(publicId)) return undefined;
    const [row] = await this.store.query<SiteProjectRow>(
      `${SITE_PROJECT_SELECT} WHERE p.account_id = $1 AND p.public_id = $2${lock ? ' FOR UPDATE OF p' : ''}`,
      [accountId, publicId.toLowerCase()],
      tx,
    );
    return row ? toSiteProject(row) : undefined;
  }

  /**
   * The public find: visible when published or when the viewer belongs to the owning account (previews); paused
   * answers FORBIDDEN with the reason for every caller. Order: 404, then 403.
   */
  async find(namespace: string, hostName: string, viewer: Principal | undefined): Promise<SiteProject> {
    const [row] = await this.store.query<SiteProjectRow>(
      `${SITE_PROJECT_SELECT} WHERE a.planpoint_namespace = $1 AND p.slug = $2 AND a.status = 'active'`,
      [namespace.trim().toLowerCase(), hostName.trim().toLowerCase()],
    );
    const project = row ? toSiteProject(row) : undefined;
    if (!project || !canSee(project.published, project.accountId, viewer)) throw DomainError.notFound('project', 'Project not found');
    if (project.paused) throw pausedError(project.pausedReason);
    return project;
  }

  /** A project by `_id` for the public unit find and lead form: visibility and pause as `find`. */
  async findById(publicId: string, viewer: Principal | undefined): Promise<SiteProject> {
    if (!isObjectId(publicId)) throw DomainError.notFound('project', 'Project not found');
    const [row] = await this.store.query<SiteProjectRow>(`${SITE_PROJECT_SELECT} WHERE p.public_id = $1 AND a.status = 'active'`, [
      publicId.toLowerCase(),
    ]);
    const project = row ? toSiteProject(row) : undefined;
    if (!project || !canSee(project.published, project.accountId, viewer)) throw DomainError.notFound('project', 'Project not found');
    if (project.paused) throw pausedError(project.pausedReason);
    return project;
  }

  async create(p: Principal, input: SiteProjectInput): Promise<SiteProject> {
    if (!input.name?.trim()) throw badField('name must be a string of 1 to 255 characters', 'name');
    return this.store.transaction(async (tx) => {
      const [{ general }] = await this.store.query<{ general: number }>(`SELECT next_general($1, 'project') AS general`, [p.accountId], tx);
      const slug =
        input.hostName !== undefined
          ? await this.explicitHostName(tx, 'projects', 'slug', p.accountId, input.hostName, null)
          : await freeHostName(this.store, tx, 'projects', 'slug', p.accountId, slugify(input.name!) || `project-${general}`);
      const spaces = mergeSpaces([], input.commercialSpaces ?? []);
      const collections = await this.mergeCollections(tx, null, [], input.collections ?? []);
      const [row] = await this.store.write('insert', () =>
        this.store.query<{ public_id: string }>(
          `INSERT INTO projects (account_id, general, title, slug, description, status, owner_user_id, published, viewer_settings,
             commercial_spaces, collections)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb) RETURNING public_id`,
          [
            p.accountId,
            general,
            input.name!.trim(),
            slug,
            input.description || null,
            input.status ?? 'ACTIVE',
            p.userId,
            input.published ?? true,
            JSON.stringify(mergeSettings({}, input.viewerSettings)),
            JSON.stringify(spaces),
            JSON.stringify(collections),
          ],
          tx,
        ),
      );
      return this.get(p, row.public_id, tx);
    });
  }

  async update(p: Principal, publicId: string, input: SiteProjectInput): Promise<SiteProject> {
    return this.store.transaction(async (tx) => {
      const current = await this.get(p, publicId, tx, true);
      const sets: string[] = [];
      const values: unknown[] = [];
      const set = (column: string, value: unknown, cast = '') => {
        values.push(value);
        sets.push(`${column} = $${values.length + 2}${cast}`);
      };
      if (input.name !== undefined) {
        if (!input.name.trim()) throw badField('name must be a string of 1 to 255 characters', 'name');
        set('title', input.name.trim());
      }
      if (input.description !== undefined) set('description', input.description || null);
      if (input.status !== undefined) set('status', input.status);
      if (input.published !== undefined) set('published', input.published);
      if (input.hostName !== undefined)
        set('slug', await this.explicitHostName(tx, 'projects', 'slug', p.accountId, input.hostName, current.id));
      if (input.viewerSettings !== undefined)
        set('viewer_settings', JSON.stringify(mergeSettings(current.viewerSettings, input.viewerSettings)), '::jsonb');
      if (input.commercialSpaces !== undefined)
        set('commercial_spaces', JSON.stringify(mergeSpaces(current.commercialSpaces, input.commercialSpaces)), '::jsonb');
      if (input.collections !== undefined) {
        set('collections', JSON.stringify(await this.mergeCollections(tx, current.id, current.collections, input.collections)), '::jsonb');
      }
      if (sets.length) {
        await this.store.write('update', () =>
          this.store.query(
            `UPDATE projects SET ${sets.join(', ')}, updated_at = clock_timestamp() WHERE account_id = $1 AND id = $2`,
            [p.accountId, current.id, ...values],
            tx,
          ),
        );
      }
      return this.get(p, publicId, tx);
    });
  }

  /** Takes its floors, units, leads and memberships; refused while a Planfix task or child project points at it. */
  async remove(p: Principal, publicId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const current = await this.get(p, publicId, tx, true);
      const [used] = await this.store.query<{ used: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM tasks WHERE project_id = $1) OR EXISTS (SELECT 1 FROM projects WHERE parent_id = $1) AS used`,
        [current.id],
        tx,
      );
      if (used.used) throw new DomainError('CONFLICT', 'Project is used by Planfix tasks or subprojects', { entity: 'project' });
      await this.store.write('delete', () =>
        this.store.query(`DELETE FROM projects WHERE account_id = $1 AND id = $2`, [p.accountId, current.id], tx),
      );
    });
  }

  /** Admin API: pause with a reason, or unpause. */
  async setPaused(accountId: string, publicId: string, paused: boolean, reason: string | null): Promise<SiteProject> {
    if (!isObjectId(publicId)) throw DomainError.notFound('project', 'project not found');
    const rows = await this.store.query<{ id: string }>(
      `UPDATE projects SET paused = $3, paused_reason = $4, updated_at = clock_timestamp() WHERE account_id = $1 AND public_id = $2 RETURNING id`,
      [accountId, publicId.toLowerCase(), paused, paused ? (reason ?? 'paused') : null],
    );
    if (!rows.length) throw DomainError.notFound('project', 'project not found');
    return (await this.row(accountId, publicId))!;
  }

  /** An explicit hostName: the pattern after lower-casing (400), free in the account and kind (409). */
  async explicitHostName(
    tx: Tx,
    table: string,
    column: string,
    accountId: string,
    hostName: string,
    selfId: number | null,
  ): Promise<string> {
    const value = hostName.trim().toLowerCase();
    if (!PLANPOINT_HOST_NAME.test(value)) throw badField('hostName must match ^[a-z0-9][a-z0-9._-]{0,62}$', 'hostName');
    const [taken] = await this.store.query<{ id: string }>(
      `SELECT id FROM ${table} WHERE account_id = $1 AND ${column} = $2`,
      [accountId, value],
      tx,
    );
    if (taken && Number(taken.id) !== selfId) {
      throw new DomainError('CONFLICT', 'hostName already in use', {
        fields: [{ field: 'hostName', issue: 'already exists' }],
      });
    }
    return value;
  }

  /** Collections replace the list; their units must be units of this project (400 otherwise). */
  private async mergeCollections(
    tx: Tx,
    projectId: number | null,
    current: Collection[],
    input: ListElementInput<Collection>[],
  ): Promise<Collection[]> {
    const merged = mergeList(
      current,
      input,
      (base, patch) => ({
        _id: base?._id ?? newObjectId(),
        name: patch.name !== undefined ? patch.name : (base?.name ?? null),
        units: patch.units !== undefined ? (patch.units ?? []).map((u) => u.toLowerCase()) : (base?.units ?? []),
      }),
      'collections',
    );
    const named = [...new Set(merged.flatMap((c) => c.units))];
    if (named.length) {
      if (projectId === null) throw badField('collections must name units of this project', 'collections');
      const [{ n }] = await this.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM units WHERE project_id = $1 AND public_id = ANY($2::text[])`,
        [projectId, named],
        tx,
      );
      if (n !== named.length) throw badField('collections must name units of this project', 'collections');
    }
    return merged;
  }
}

export function pausedError(reason: string | null): DomainError {
  return new DomainError('FORBIDDEN', 'Project is paused', {
    reason: 'project_paused',
    fields: [{ field: 'paused', issue: reason ?? 'paused' }],
  });
}

/** Viewer settings merge: absent keeps, `null` removes, anything else replaces. */
function mergeSettings(current: Record<string, unknown>, patch: Record<string, unknown> | undefined): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

function mergeSpaces(current: CommercialSpace[], input: ListElementInput<CommercialSpace>[]): CommercialSpace[] {
  return mergeList(
    current,
    input,
    (base, patch) => ({
      _id: base?._id ?? newObjectId(),
      name: patch.name !== undefined ? patch.name : (base?.name ?? null),
      status: patch.status ?? base?.status ?? 'Available',
      price: patch.price !== undefined ? patch.price : (base?.price ?? null),
      sqft: patch.sqft !== undefined ? patch.sqft : (base?.sqft ?? null),
    }),
    'commercialSpaces',
  );
}

/** A JSON list replaced by its input: a known `_id` updates, none makes new, an unknown one is 400; a bare id keeps. */
function mergeList<T extends { _id: string }>(
  current: T[],
  input: ListElementInput<T>[],
  build: (base: T | undefined, patch: Partial<Omit<T, '_id'>>) => T,
  field: string,
): T[] {
  const byId = new Map(current.map((e) => [e._id, e]));
  const out: T[] = [];
  const seen = new Set<string>();
  for (const element of input) {
    if (typeof element === 'string') {
      const kept = byId.get(element.toLowerCase());
      if (!kept) throw badField(`${field} names an unknown _id`, field);
      if (!seen.has(kept._id)) out.push(kept);
      seen.add(kept._id);
      continue;
    }
    const { _id, ...patch } = element;
    let base: T | undefined;
    if (_id !== undefined) {
      base = byId.get(_id.toLowerCase());
      if (!base) throw badField(`${field} names an unknown _id`, field);
    }
    const built = build(base, patch as Partial<Omit<T, '_id'>>);
    if (seen.has(built._id)) continue;
    seen.add(built._id);
    out.push(built);
  }
  return out;
}

/** `base`, else `base-2`, `base-3`… free in the account (the caller holds a lock that orders creations). */
export async function freeHostName(
  store: StoreService,
  tx: Tx,
  table: string,
  column: string,
  accountId: string,
  base: string,
): Promise<string> {
  const rows = await store.query<{ v: string }>(
    `SELECT ${column} AS v FROM ${table} WHERE account_id = $1 AND (${column} = $2 OR ${column} LIKE $3)`,
    [accountId, base, `${base.slice(0, 50).replace(/[%_\\]/g, '\\$&')}%`],
    tx,
  );
  return freeSlug(base, new Set(rows.map((r) => r.v)));
}
