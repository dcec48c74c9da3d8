import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { jsonb, StoreService, type Tx } from '#store';
import { clientColumns, type ContactTarget } from './contacts.service.js';
import { invalidField, missing } from './issues.js';
import { mergeKeys, mergeList, type ListElementInput } from './json-patches.js';
import { isObjectId } from './object-id.js';
import { claimHostName, freeHostName, slugify, type ExplicitHostName, type HostNameColumn } from './slug.js';
import { type StoredStatus } from './unit-status.js';

export const PROJECT_STATUSES = ['DRAFT', 'ACTIVE', 'COMPLETED'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** How many floors and units one project holds at most: one more is refused. */
export const PROJECT_LIMITS = { floors: 500, units: 5000 } as const;

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

/**
 * A project's fields as a write gives them: absent keeps, `null` clears. People and contacts are already resolved to
 * the account's rows; the JSON documents are patches merged with what is stored.
 */
export interface ProjectChanges {
  title?: string;
  /** Absent on create: made from the title. */
  hostName?: ExplicitHostName;
  description?: string | null;
  status?: ProjectStatus;
  ownerUserId?: string;
  client?: ContactTarget | null;
  parentId?: number | null;
  hidden?: boolean;
  hasEndDate?: boolean;
  endDate?: string | null;
  published?: boolean;
  /** Merged key by key; `null` removes a key (back to its default). */
  viewerSettings?: Record<string, unknown>;
  commercialSpaces?: ListElementInput<CommercialSpace>[];
  collections?: ListElementInput<Collection>[];
}

export interface FloorInput {
  name?: string;
  level?: number | null;
  position?: number | null;
  path?: string | null;
  alternativePaths?: string[] | null;
  image?: string | null;
}

export interface UnitModel {
  _id: string;
  name: string | null;
  floorplan: string | null;
}

/** A unit's writable fields, in stored terms (a protocol maps its vocabularies): absent keeps, `null` clears. */
export interface UnitInput {
  name?: string | null;
  status?: StoredStatus | null;
  bedrooms?: string | null;
  bath?: number | null;
  sqft?: number | null;
  price?: number | null;
  parking?: number | null;
  orientation?: string | null;
  model?: string | null;
  unitmodels?: ListElementInput<UnitModel>[] | null;
  onHoldExpiresAt?: Date | null;
  position?: number | null;
  /** Extras, merged key by key; `null` removes a key. */
  extra?: Record<string, unknown>;
  /** Another floor of the same project (`_id`). */
  floor?: string;
}

/** What a unit's update merges with and checks against. */
export interface StoredUnit {
  id: number;
  projectId: number;
  unitmodels: UnitModel[];
  extra: Record<string, unknown>;
}

const SLUG: HostNameColumn = { table: 'projects', column: 'slug' };

/** Where a project's title is required: present and not blank (trimmed when stored). */
export function requiredTitle(title: string | undefined): string {
  if (!title?.trim()) throw missing('title');
  return title.trim();
}

/**
 * The project aggregate's one writer: every INSERT, UPDATE and DELETE of `projects`, `floors` and `units` is here,
 * with the rules they share (title, host name, counts per project, JSON list merges), so that every protocol's view
 * of a project writes the same row the same way. Callers hold the transaction, look up and lock what they write
 * (another account's record is "not found" before it gets here), and read the result back in their own shape.
 */
@Injectable()
export class ProjectsRepository {
  constructor(private readonly store: StoreService) {}

  /** A new project: the account's next `general`, and a host name (given, or made from the title: `project-<general>` when that is empty). */
  async createProject(
    accountId: string,
    fields: ProjectChanges & { ownerUserId: string },
    tx: Tx,
  ): Promise<{ id: number; publicId: string }> {
    const title = requiredTitle(fields.title);
    // The general first: it locks the account's project counter, so host names are chosen one creation at a time.
    const [{ general }] = await this.store.query<{ general: number }>(`SELECT next_general($1, 'project') AS general`, [accountId], tx);
    const slug = fields.hostName
      ? await claimHostName(this.store, tx, SLUG, accountId, fields.hostName, null)
      : await freeHostName(this.store, tx, SLUG, accountId, slugify(title) || `project-${general}`);
    const spaces = mergeSpaces([], fields.commercialSpaces ?? []);
    const collections = await this.mergeCollections(null, [], fields.collections ?? [], tx);
    const [client, company] = clientColumns(fields.client ?? null);
    const [row] = await this.store.write('insert', () =>
      this.store.query<{ id: string; public_id: string }>(
        `INSERT INTO projects (account_id, general, title, slug, description, status, owner_user_id, client_contact_id,
           client_company_id, parent_id, hidden, has_end_date, end_date, published, viewer_settings, commercial_spaces, collections)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16::jsonb, $17::jsonb)
         RETURNING id, public_id`,
        [
          accountId,
          general,
          title,
          slug,
          fields.description || null,
          fields.status ?? 'ACTIVE',
          fields.ownerUserId,
          client,
          company,
          fields.parentId ?? null,
          fields.hidden ?? false,
          fields.hasEndDate ?? false,
          fields.endDate ?? null,
          fields.published ?? true,
          JSON.stringify(mergeKeys({}, fields.viewerSettings)),
          JSON.stringify(spaces),
          JSON.stringify(collections),
        ],
        tx,
      ),
    );
    return { id: Number(row.id), publicId: row.public_id };
  }

  /** The given fields of a project the caller has locked; nothing is written when none is given. */
  async updateProject(accountId: string, id: number, fields: ProjectChanges, tx: Tx): Promise<void> {
    const title = fields.title === undefined ? undefined : requiredTitle(fields.title);
    const slug = fields.hostName && (await claimHostName(this.store, tx, SLUG, accountId, fields.hostName, id));
    const stored = await this.storedDocuments(id, fields, tx);
    const [client, company] = fields.client === undefined ? [] : clientColumns(fields.client);
    await this.store.update(
      'projects',
      { account_id: accountId, id },
      {
        title,
        slug,
        description: fields.description === undefined ? undefined : fields.description || null,
        status: fields.status,
        owner_user_id: fields.ownerUserId,
        client_contact_id: client,
        client_company_id: company,
        parent_id: fields.parentId,
        hidden: fields.hidden,
        has_end_date: fields.hasEndDate,
        end_date: fields.endDate,
        published: fields.published,
        viewer_settings: stored && fields.viewerSettings && jsonb(mergeKeys(stored.viewerSettings, fields.viewerSettings)),
        commercial_spaces: stored && fields.commercialSpaces && jsonb(mergeSpaces(stored.commercialSpaces, fields.commercialSpaces)),
        collections: stored && fields.collections && jsonb(await this.mergeCollections(id, stored.collections, fields.collections, tx)),
      },
      tx,
    );
  }

  /** Takes its floors, units, leads and memberships; refused while a task or a child project points at it. */
  async removeProject(accountId: string, id: number, tx: Tx): Promise<void> {
    const [used] = await this.store.query<{ used: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM tasks WHERE project_id = $1) OR EXISTS (SELECT 1 FROM projects WHERE parent_id = $1) AS used`,
      [id],
      tx,
    );
    if (used.used) throw projectInUse();
    await this.store.write('delete', () => this.store.query(`DELETE FROM projects WHERE account_id = $1 AND id = $2`, [accountId, id], tx));
  }

  /** Pauses with a reason, or unpauses; false when the account has no such project. */
  async setPaused(accountId: string, publicId: string, paused: boolean, reason: string | null): Promise<boolean> {
    if (!isObjectId(publicId)) return false;
    const rows = await this.store.query<{ id: string }>(
      `UPDATE projects SET paused = $3, paused_reason = $4, updated_at = clock_timestamp() WHERE account_id = $1 AND public_id = $2 RETURNING id`,
      [accountId, publicId.toLowerCase(), paused, paused ? (reason ?? 'paused') : null],
    );
    return rows.length > 0;
  }

  /** A floor of a project the caller has locked: at most PROJECT_LIMITS.floors, placed after the last by default. */
  async createFloor(accountId: string, projectId: number, input: FloorInput, tx: Tx): Promise<string> {
    const name = floorName(input.name);
    const [{ n, last }] = await this.store.query<{ n: number; last: number | null }>(
      `SELECT count(*)::int AS n, max(position) AS last FROM floors WHERE project_id = $1`,
      [projectId],
      tx,
    );
    if (n >= PROJECT_LIMITS.floors) throw invalidField(`Project floor limit reached (${PROJECT_LIMITS.floors})`, 'floors');
    const [row] = await this.store.write('insert', () =>
      this.store.query<{ public_id: string }>(
        `INSERT INTO floors (account_id, project_id, name, level, position, path, alternative_paths, image)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) RETURNING public_id`,
        [
          accountId,
          projectId,
          name,
          input.level ?? null,
          input.position ?? nextPosition(last),
          input.path ?? null,
          JSON.stringify(input.alternativePaths ?? []),
          input.image ?? null,
        ],
        tx,
      ),
    );
    return row.public_id;
  }

  async updateFloor(accountId: string, floorId: number, input: FloorInput, tx: Tx): Promise<void> {
    await this.store.update(
      'floors',
      { account_id: accountId, id: floorId },
      {
        name: input.name === undefined ? undefined : floorName(input.name),
        level: input.level,
        position: input.position === undefined ? undefined : (input.position ?? 0),
        path: input.path,
        alternative_paths: input.alternativePaths === undefined ? undefined : jsonb(input.alternativePaths ?? []),
        image: input.image,
      },
      tx,
    );
  }

  /** Takes its units (and their places in collections). */
  async removeFloor(floor: { id: number; projectId: number }, tx: Tx): Promise<void> {
    const units = await this.store.query<{ public_id: string }>(`SELECT public_id FROM units WHERE floor_id = $1`, [floor.id], tx);
    await this.dropFromCollections(
      floor.projectId,
      units.map((u) => u.public_id),
      tx,
    );
    await this.store.write('delete', () => this.store.query(`DELETE FROM floors WHERE id = $1`, [floor.id], tx));
  }

  /** A unit on a floor: at most PROJECT_LIMITS.units in its project (whose row it locks), after the floor's last by default. */
  async createUnit(accountId: string, floor: { id: number; projectId: number }, input: UnitInput, tx: Tx): Promise<string> {
    await this.store.query(`SELECT 1 FROM projects WHERE id = $1 FOR UPDATE`, [floor.projectId], tx);
    const [{ n }] = await this.store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM units WHERE project_id = $1`,
      [floor.projectId],
      tx,
    );
    if (n >= PROJECT_LIMITS.units) throw invalidField(`Project unit limit reached (${PROJECT_LIMITS.units})`, 'units');
    const [{ last }] = await this.store.query<{ last: number | null }>(
      `SELECT max(position) AS last FROM units WHERE floor_id = $1`,
      [floor.id],
      tx,
    );
    const [row] = await this.store.write('insert', () =>
      this.store.query<{ public_id: string }>(
        `INSERT INTO units (account_id, project_id, floor_id, name, status, bedrooms, bath, sqft, price, parking, orientation, model,
           unitmodels, on_hold_expires_at, position, extra)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16::jsonb) RETURNING public_id`,
        [
          accountId,
          floor.projectId,
          floor.id,
          input.name ?? null,
          input.status ?? 'Available',
          input.bedrooms ?? null,
          input.bath ?? null,
          input.sqft ?? null,
          input.price ?? null,
          input.parking ?? null,
          input.orientation ?? null,
          input.model ?? null,
          JSON.stringify(mergeModels([], input.unitmodels ?? [])),
          input.onHoldExpiresAt ?? null,
          input.position ?? nextPosition(last),
          JSON.stringify(mergeKeys({}, input.extra)),
        ],
        tx,
      ),
    );
    return row.public_id;
  }

  /** The given fields of a unit the caller has locked; a move goes only to another floor of the same project. */
  async updateUnit(accountId: string, unit: StoredUnit, input: UnitInput, tx: Tx): Promise<void> {
    const unitmodels = input.unitmodels === undefined ? undefined : jsonb(mergeModels(unit.unitmodels, input.unitmodels ?? []));
    const extra = input.extra === undefined ? undefined : jsonb(mergeKeys(unit.extra, input.extra));
    let floorId: number | undefined;
    if (input.floor !== undefined) {
      const [floor] = isObjectId(input.floor)
        ? await this.store.query<{ id: string; project_id: string }>(
            `SELECT id, project_id FROM floors WHERE account_id = $1 AND public_id = $2`,
            [accountId, input.floor.toLowerCase()],
            tx,
          )
        : [];
      if (!floor || Number(floor.project_id) !== unit.projectId) throw invalidField('floor must be a floor of the same project', 'floor');
      floorId = Number(floor.id);
    }
    await this.store.update(
      'units',
      { id: unit.id },
      {
        name: input.name,
        bedrooms: input.bedrooms,
        bath: input.bath,
        sqft: input.sqft,
        price: input.price,
        parking: input.parking,
        orientation: input.orientation,
        model: input.model,
        status: input.status === undefined ? undefined : (input.status ?? 'Available'),
        on_hold_expires_at: input.onHoldExpiresAt,
        position: input.position === undefined ? undefined : (input.position ?? 0),
        unitmodels,
        extra,
        floor_id: floorId,
      },
      tx,
    );
  }

  /** Leaves its collections; its leads keep `unit: null`. */
  async removeUnit(unit: { id: number; projectId: number; publicId: string }, tx: Tx): Promise<void> {
    await this.dropFromCollections(unit.projectId, [unit.publicId], tx);
    await this.store.write('delete', () => this.store.query(`DELETE FROM units WHERE id = $1`, [unit.id], tx));
  }

  /** The stored JSON documents the changes merge with; undefined when they name none. */
  private async storedDocuments(id: number, fields: ProjectChanges, tx: Tx) {
    if (!fields.viewerSettings && !fields.commercialSpaces && !fields.collections) return undefined;
    const [row] = await this.store.query<{
      viewer_settings: Record<string, unknown>;
      commercial_spaces: CommercialSpace[];
      collections: Collection[];
    }>(`SELECT viewer_settings, commercial_spaces, collections FROM projects WHERE id = $1`, [id], tx);
    return {
      viewerSettings: row.viewer_settings ?? {},
      commercialSpaces: row.commercial_spaces ?? [],
      collections: row.collections ?? [],
    };
  }

  /** Collections replace the list; their units must be units of this project (INVALID otherwise). */
  private async mergeCollections(
    projectId: number | null,
    current: Collection[],
    input: ListElementInput<Collection>[],
    tx: Tx,
  ): Promise<Collection[]> {
    const merged = mergeList(
      current,
      input,
      (base, patch) => ({
        name: patch.name !== undefined ? patch.name : (base?.name ?? null),
        units: patch.units !== undefined ? (patch.units ?? []).map((u) => u.toLowerCase()) : (base?.units ?? []),
      }),
      'collections',
    );
    const named = [...new Set(merged.flatMap((c) => c.units))];
    if (named.length) {
      if (projectId === null) throw invalidField('collections must name units of this project', 'collections');
      const [{ n }] = await this.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM units WHERE project_id = $1 AND public_id = ANY($2::text[])`,
        [projectId, named],
        tx,
      );
      if (n !== named.length) throw invalidField('collections must name units of this project', 'collections');
    }
    return merged;
  }

  /** Units leave the collections of their project (their ids leave every `units` list); the project keeps its `updated_at`. */
  private async dropFromCollections(projectId: number, unitIds: string[], tx: Tx): Promise<void> {
    if (!unitIds.length) return;
    const [row] = await this.store.query<{ collections: Collection[] }>(
      `SELECT collections FROM projects WHERE id = $1 FOR UPDATE`,
      [projectId],
      tx,
    );
    const gone = new Set(unitIds);
    const next = (row?.collections ?? []).map((c) => ({ ...c, units: (c.units ?? []).filter((u) => !gone.has(u)) }));
    await this.store.update('projects', { id: projectId }, { collections: jsonb(next) }, tx, { touch: false });
  }
}

/** A project still named by tasks or child projects cannot go (CONFLICT, issue type `project_in_use`). */
export function projectInUse(): DomainError {
  return new DomainError('CONFLICT', 'Project is used by tasks or subprojects', {
    entity: 'project',
    fields: [{ field: 'id', issue: 'in use by tasks or subprojects', type: 'project_in_use' }],
  });
}

function floorName(name: string | undefined): string {
  if (!name?.trim()) throw invalidField('name must be a string of 1 to 255 characters', 'name');
  return name.trim();
}

function nextPosition(last: number | null): number {
  return last === null ? 0 : Number(last) + 1;
}

function mergeSpaces(current: CommercialSpace[], input: ListElementInput<CommercialSpace>[]): CommercialSpace[] {
  return mergeList(
    current,
    input,
    (base, patch) => ({
      name: patch.name !== undefined ? patch.name : (base?.name ?? null),
      status: patch.status ?? base?.status ?? 'Available',
      price: patch.price !== undefined ? patch.price : (base?.price ?? null),
      sqft: patch.sqft !== undefined ? patch.sqft : (base?.sqft ?? null),
    }),
    'commercialSpaces',
  );
}

/**
 * Unit models: objects (an `_id` of the unit's own models updates that model, none makes a new one) or ids of the
 * unit's own models; an `_id` the unit does not have is INVALID, never kept as a new model's id.
 */
function mergeModels(current: UnitModel[], input: ListElementInput<UnitModel>[]): UnitModel[] {
  return mergeList(
    current,
    input,
    (base, patch) => ({
      name: patch.name !== undefined ? patch.name : (base?.name ?? null),
      floorplan: patch.floorplan !== undefined ? patch.floorplan : (base?.floorplan ?? null),
    }),
    'unitmodels',
  );
}
