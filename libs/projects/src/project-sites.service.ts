import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { accountRow } from './account-row.js';
import { PROJECT_STAMP_SQL } from './site-stamps.js';
import { found, isObjectId, noSuch, publicIdKey } from './object-id.js';
import {
  ProjectsRepository,
  type Collection,
  type CommercialSpace,
  type ProjectChanges,
  type ProjectStatus,
} from './projects.repository.js';

/** A project as its public site shows it: addressed by public id, found by namespace and host name. */
export interface ProjectSite {
  id: number;
  accountId: string;
  publicId: string;
  title: string;
  /** The account's namespace. */
  namespace: string;
  /** The host name under that namespace. */
  slug: string;
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

interface ProjectSiteRow {
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

const PROJECT_SITE_SELECT = `SELECT p.id, p.account_id, p.public_id, p.title, p.slug, p.description, p.status, p.published, p.paused,
       p.paused_reason, p.viewer_settings, p.commercial_spaces, p.collections, p.created_at, p.updated_at,
       a.namespace, u.public_id AS owner_public_id
  FROM projects p
  JOIN accounts a ON a.id = p.account_id
  JOIN users u ON u.id = p.owner_user_id`;

function toProjectSite(r: ProjectSiteRow): ProjectSite {
  return {
    id: Number(r.id),
    accountId: r.account_id,
    publicId: r.public_id,
    title: r.title,
    namespace: r.namespace,
    slug: r.slug,
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

/** Who may see an object found by namespace and host name: its account's callers always, anyone when published. */
export function canSee(published: boolean, accountId: string, viewer: Principal | undefined): boolean {
  return published || viewer?.accountId === accountId;
}

export function pausedError(reason: string | null): DomainError {
  return new DomainError('FORBIDDEN', 'Project is paused', {
    reason: 'project_paused',
    fields: [{ field: 'paused', issue: reason ?? 'paused' }],
  });
}

/**
 * Projects as public sites: found by the account's namespace and the project's host name, addressed by public id,
 * with viewer settings, commercial spaces and collections. The same rows as ProjectsService's (a project made here
 * takes the account's next `general` too); ProjectsRepository writes both.
 */
@Injectable()
export class ProjectSitesService {
  constructor(
    private readonly store: StoreService,
    private readonly projects: ProjectsRepository,
  ) {}

  async listMine(p: Principal): Promise<ProjectSite[]> {
    const rows = await this.store.query<ProjectSiteRow>(
      `${PROJECT_SITE_SELECT} WHERE p.account_id = $1 ORDER BY p.created_at, p.public_id`,
      [p.accountId],
    );
    return rows.map(toProjectSite);
  }

  async get(p: Principal, publicId: string, tx?: Tx, lock = false): Promise<ProjectSite> {
    return found(await this.row(p.accountId, publicId, tx, lock), 'project');
  }

  /** The account's project by public id, or undefined (another account's id is unknown here). */
  async row(accountId: string, publicId: string, tx?: Tx, lock = false): Promise<ProjectSite | undefined> {
    const row = await accountRow<ProjectSiteRow>(this.store, PROJECT_SITE_SELECT, 'p', accountId, publicIdKey(publicId), tx, lock);
    return row ? toProjectSite(row) : undefined;
  }

  /**
   * The public find: visible when published or when the viewer belongs to the owning account (previews); paused
   * answers FORBIDDEN with the reason for every caller. Order: 404, then 403.
   */
  async find(namespace: string, slug: string, viewer: Principal | undefined): Promise<ProjectSite> {
    const [row] = await this.store.query<ProjectSiteRow>(
      `${PROJECT_SITE_SELECT} WHERE a.namespace = $1 AND p.slug = $2 AND a.status = 'active'`,
      [namespace.trim().toLowerCase(), slug.trim().toLowerCase()],
    );
    return visible(row, viewer);
  }

  /** A project by public id for the public unit find and lead form: visibility and pause as `find`. */
  async findById(publicId: string, viewer: Principal | undefined): Promise<ProjectSite> {
    if (!isObjectId(publicId)) throw noSuch('project');
    const [row] = await this.store.query<ProjectSiteRow>(`${PROJECT_SITE_SELECT} WHERE p.public_id = $1 AND a.status = 'active'`, [
      publicId.toLowerCase(),
    ]);
    return visible(row, viewer);
  }

  /**
   * The change stamp of what a find of this project answers (a hash of its row, floors and units, and the holds run
   * out by `now`): it changes whenever that answer does, and costs one query without loading the floors and units.
   */
  async stamp(projectId: number, now = new Date()): Promise<string> {
    const [row] = await this.store.queryPrepared<{ stamp: string }>(PROJECT_STAMP_SQL, [projectId, now]);
    return row.stamp;
  }

  async create(p: Principal, fields: ProjectChanges): Promise<ProjectSite> {
    return this.store.transaction(async (tx) => {
      const { publicId } = await this.projects.createProject(p.accountId, { ...fields, ownerUserId: p.userId }, tx);
      return this.get(p, publicId, tx);
    });
  }

  async update(p: Principal, publicId: string, fields: ProjectChanges): Promise<ProjectSite> {
    return this.store.transaction(async (tx) => {
      await this.projects.updateProject(p.accountId, (await this.get(p, publicId, tx, true)).id, fields, tx);
      return this.get(p, publicId, tx);
    });
  }

  async remove(p: Principal, publicId: string): Promise<void> {
    await this.store.transaction(async (tx) => this.projects.removeProject(p.accountId, (await this.get(p, publicId, tx, true)).id, tx));
  }

  /** The operator's pause with a reason, or unpause. */
  async setPaused(accountId: string, publicId: string, paused: boolean, reason: string | null): Promise<ProjectSite> {
    if (!(await this.projects.setPaused(accountId, publicId, paused, reason))) throw DomainError.notFound('project', 'project not found');
    return (await this.row(accountId, publicId))!;
  }
}

function visible(row: ProjectSiteRow | undefined, viewer: Principal | undefined): ProjectSite {
  const project = row ? toProjectSite(row) : undefined;
  if (!project || !canSee(project.published, project.accountId, viewer)) throw noSuch('project');
  if (project.paused) throw pausedError(project.pausedReason);
  return project;
}
