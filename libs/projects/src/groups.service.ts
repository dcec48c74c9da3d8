import { Injectable } from '@nestjs/common';
import { DomainError, type Entity } from '#errors';
import { type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { accountRow } from './account-row.js';
import { isObjectId, publicIdKey } from './object-id.js';
import { canSee } from './project-sites.service.js';
import { ENTERPRISE_STAMP_SQL, GROUP_STAMP_SQL } from './site-stamps.js';
import { claimHostName, freeHostName, slugify, type ExplicitHostName, type HostNameColumn } from './slug.js';

export type CollectionKind = 'group' | 'enterprise';

export interface MemberProject {
  id: number;
  publicId: string;
  title: string;
  namespace: string;
  slug: string;
  paused: boolean;
  published: boolean;
  projectImageUrl: string | null;
}

/** A group or an enterprise (an enterprise also has groups). */
export interface ProjectCollection {
  id: number;
  kind: CollectionKind;
  accountId: string;
  publicId: string;
  userId: string;
  userPublicId: string;
  name: string;
  namespace: string;
  hostName: string;
  type: string | null;
  propertyType: string | null;
  imageUrl: string | null;
  published: boolean;
  projects: MemberProject[];
  groups: ProjectCollection[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ProjectCollectionInput {
  name?: string;
  hostName?: ExplicitHostName;
  type?: string | null;
  propertyType?: string | null;
  imageUrl?: string | null;
  published?: boolean;
  /** `_id`s of the account's projects (unknown or another account's → 404 Project not found). */
  projects?: string[];
  /** Enterprises: `_id`s of the account's groups. */
  groups?: string[];
}

interface Row {
  id: string;
  account_id: string;
  public_id: string;
  user_id: string;
  user_public_id: string;
  name: string;
  namespace: string;
  host_name: string;
  type: string | null;
  property_type: string | null;
  image_url: string | null;
  published: boolean;
  created_at: Date;
  updated_at: Date;
}

const TABLE = { group: 'groups', enterprise: 'enterprises' } as const;
const hostNameOf = (kind: CollectionKind): HostNameColumn => ({ table: TABLE[kind], column: 'host_name' });
const IMAGE = { group: 'group_image_url', enterprise: 'enterprise_image_url' } as const;
const LABEL = { group: 'Group', enterprise: 'Enterprise' } as const;

function select(kind: CollectionKind): string {
  return `SELECT g.id, g.account_id, g.public_id, g.user_id, u.public_id AS user_public_id, g.name, a.namespace,
       g.host_name, g.type, g.property_type, g.${IMAGE[kind]} AS image_url, g.published, g.created_at, g.updated_at
  FROM ${TABLE[kind]} g JOIN accounts a ON a.id = g.account_id JOIN users u ON u.id = g.user_id`;
}

/** Groups and enterprises of projects: collections with their own host name under the account's namespace. */
@Injectable()
export class ProjectCollectionsService {
  constructor(private readonly store: StoreService) {}

  async list(p: Principal, kind: CollectionKind): Promise<ProjectCollection[]> {
    const rows = await this.store.query<Row>(`${select(kind)} WHERE g.account_id = $1 ORDER BY g.created_at, g.public_id`, [p.accountId]);
    return Promise.all(rows.map((r) => this.expand(kind, r, true)));
  }

  async get(p: Principal, kind: CollectionKind, publicId: string, tx?: Tx): Promise<ProjectCollection> {
    const row = await this.row(p.accountId, kind, publicId, tx);
    if (!row) throw this.notFound(kind);
    return this.expand(kind, row, true, tx);
  }

  /** Public find: published, or the owner's credential; unpublished members only for the owner. */
  async find(kind: CollectionKind, namespace: string, hostName: string, viewer: Principal | undefined): Promise<ProjectCollection> {
    return (await this.locate(kind, namespace, hostName, viewer)).load();
  }

  /**
   * The public find in two steps: the collection located (404 as `find`) with the change stamp of its answer, which
   * changes whenever that answer does; `load` then reads its members. A caller that only revalidates stops after the
   * stamp.
   */
  async locate(
    kind: CollectionKind,
    namespace: string,
    hostName: string,
    viewer: Principal | undefined,
  ): Promise<{ stamp: string; load: () => Promise<ProjectCollection> }> {
    const [row] = await this.store.query<Row>(`${select(kind)} WHERE a.namespace = $1 AND g.host_name = $2 AND a.status = 'active'`, [
      namespace.trim().toLowerCase(),
      hostName.trim().toLowerCase(),
    ]);
    if (!row || !canSee(row.published, row.account_id, viewer)) throw this.notFound(kind);
    const owner = viewer?.accountId === row.account_id;
    const [{ stamp }] = await this.store.queryPrepared<{ stamp: string }>(kind === 'group' ? GROUP_STAMP_SQL : ENTERPRISE_STAMP_SQL, [
      row.id,
      owner,
    ]);
    return { stamp, load: () => this.expand(kind, row, owner) };
  }

  async create(p: Principal, kind: CollectionKind, input: ProjectCollectionInput): Promise<ProjectCollection> {
    return this.store.transaction(async (tx) => {
      // One creation at a time per account, so derived hostNames do not race.
      await this.store.query(`SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, [p.accountId], tx);
      const table = TABLE[kind];
      let hostName: string;
      if (input.hostName !== undefined) hostName = await claimHostName(this.store, tx, hostNameOf(kind), p.accountId, input.hostName, null);
      else {
        const base = slugify(input.name ?? '');
        hostName = base ? await freeHostName(this.store, tx, hostNameOf(kind), p.accountId, base) : '';
      }
      const [row] = await this.store.write('insert', () =>
        this.store.query<{ id: string; public_id: string }>(
          `INSERT INTO ${table} (account_id, user_id, name, host_name, type, property_type, ${IMAGE[kind]}, published)
           VALUES ($1, $2, $3, coalesce(nullif($4, ''), 'x'), $5, $6, $7, $8) RETURNING id, public_id`,
          [
            p.accountId,
            p.userId,
            input.name!.trim(),
            hostName,
            input.type ?? null,
            input.propertyType ?? null,
            input.imageUrl ?? null,
            input.published ?? true,
          ],
          tx,
        ),
      );
      if (!hostName) {
        // Empty after slugifying: `group-`/`enterprise-` + the last 6 of the `_id`.
        const fallback = await freeHostName(this.store, tx, hostNameOf(kind), p.accountId, `${kind}-${row.public_id.slice(-6)}`);
        await this.store.query(`UPDATE ${table} SET host_name = $2 WHERE id = $1`, [row.id, fallback], tx);
      }
      await this.replaceMembers(p, kind, Number(row.id), input, tx);
      return this.get(p, kind, row.public_id, tx);
    });
  }

  async update(p: Principal, kind: CollectionKind, publicId: string, input: ProjectCollectionInput): Promise<ProjectCollection> {
    return this.store.transaction(async (tx) => {
      const current = await this.row(p.accountId, kind, publicId, tx, true);
      if (!current) throw this.notFound(kind);
      await this.store.update(
        TABLE[kind],
        { id: current.id },
        {
          name: input.name?.trim(),
          host_name:
            input.hostName && (await claimHostName(this.store, tx, hostNameOf(kind), p.accountId, input.hostName, Number(current.id))),
          type: input.type,
          property_type: input.propertyType,
          [IMAGE[kind]]: input.imageUrl,
          published: input.published,
        },
        tx,
      );
      await this.replaceMembers(p, kind, Number(current.id), input, tx);
      return this.get(p, kind, publicId, tx);
    });
  }

  /** A group leaves its enterprises; the projects stay. */
  async remove(p: Principal, kind: CollectionKind, publicId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const current = await this.row(p.accountId, kind, publicId, tx, true);
      if (!current) throw this.notFound(kind);
      await this.store.write('delete', () => this.store.query(`DELETE FROM ${TABLE[kind]} WHERE id = $1`, [current.id], tx));
    });
  }

  private notFound(kind: CollectionKind): DomainError {
    return DomainError.notFound(kind, `${LABEL[kind]} not found`);
  }

  private row(accountId: string, kind: CollectionKind, publicId: string, tx?: Tx, lock = false): Promise<Row | undefined> {
    return accountRow<Row>(this.store, select(kind), 'g', accountId, publicIdKey(publicId), tx, lock);
  }

  private async replaceMembers(p: Principal, kind: CollectionKind, id: number, input: ProjectCollectionInput, tx: Tx): Promise<void> {
    if (input.projects !== undefined) {
      const ids = await this.resolve(p.accountId, 'projects', input.projects, tx, 'Project not found', 'project');
      const table = kind === 'group' ? 'group_projects' : 'enterprise_projects';
      const owner = kind === 'group' ? 'group_id' : 'enterprise_id';
      await this.store.query(`DELETE FROM ${table} WHERE ${owner} = $1`, [id], tx);
      if (ids.length) {
        await this.store.query(
          `INSERT INTO ${table} (${owner}, project_id, position) SELECT $1, x.id, x.n FROM unnest($2::bigint[]) WITH ORDINALITY AS x(id, n)`,
          [id, ids],
          tx,
        );
      }
    }
    if (kind === 'enterprise' && input.groups !== undefined) {
      const ids = await this.resolve(p.accountId, 'groups', input.groups, tx, 'Group not found', 'group');
      await this.store.query(`DELETE FROM enterprise_groups WHERE enterprise_id = $1`, [id], tx);
      if (ids.length) {
        await this.store.query(
          `INSERT INTO enterprise_groups (enterprise_id, group_id, position) SELECT $1, x.id, x.n FROM unnest($2::bigint[]) WITH ORDINALITY AS x(id, n)`,
          [id, ids],
          tx,
        );
      }
    }
  }

  /** `_id`s of the account's records, in order, duplicates dropped; any unknown one is NOT_FOUND. */
  private async resolve(accountId: string, table: string, publicIds: string[], tx: Tx, message: string, entity: Entity): Promise<number[]> {
    const wanted = [...new Set(publicIds.map((x) => x.toLowerCase()))];
    if (wanted.some((x) => !isObjectId(x))) throw DomainError.notFound(entity, message);
    if (!wanted.length) return [];
    const rows = await this.store.query<{ id: string; public_id: string }>(
      `SELECT id, public_id FROM ${table} WHERE account_id = $1 AND public_id = ANY($2::text[])`,
      [accountId, wanted],
      tx,
    );
    const byPublic = new Map(rows.map((r) => [r.public_id, Number(r.id)]));
    if (byPublic.size !== wanted.length) throw DomainError.notFound(entity, message);
    return wanted.map((x) => byPublic.get(x)!);
  }

  private async expand(kind: CollectionKind, r: Row, owner: boolean, tx?: Tx): Promise<ProjectCollection> {
    const members = kind === 'group' ? 'group_projects' : 'enterprise_projects';
    const ownerColumn = kind === 'group' ? 'group_id' : 'enterprise_id';
    const projects = await this.store.query<{
      id: string;
      public_id: string;
      title: string;
      namespace: string;
      slug: string;
      paused: boolean;
      published: boolean;
      image: string | null;
    }>(
      `SELECT p.id, p.public_id, p.title, a.namespace, p.slug, p.paused, p.published,
              p.viewer_settings ->> 'projectImageUrl' AS image
         FROM ${members} m JOIN projects p ON p.id = m.project_id JOIN accounts a ON a.id = p.account_id
        WHERE m.${ownerColumn} = $1 ${owner ? '' : 'AND p.published'} ORDER BY m.position`,
      [r.id],
      tx,
    );
    let groups: ProjectCollection[] = [];
    if (kind === 'enterprise') {
      const rows = await this.store.query<Row>(
        `${select('group')} JOIN enterprise_groups eg ON eg.group_id = g.id WHERE eg.enterprise_id = $1 ${owner ? '' : 'AND g.published'} ORDER BY eg.position`,
        [r.id],
        tx,
      );
      groups = await Promise.all(rows.map((g) => this.expand('group', g, owner, tx)));
    }
    return {
      id: Number(r.id),
      kind,
      accountId: r.account_id,
      publicId: r.public_id,
      userId: r.user_id,
      userPublicId: r.user_public_id,
      name: r.name,
      namespace: r.namespace,
      hostName: r.host_name,
      type: r.type,
      propertyType: r.property_type,
      imageUrl: r.image_url,
      published: r.published,
      projects: projects.map((x) => ({
        id: Number(x.id),
        publicId: x.public_id,
        title: x.title,
        namespace: x.namespace,
        slug: x.slug,
        paused: x.paused,
        published: x.published,
        projectImageUrl: x.image,
      })),
      groups,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}
