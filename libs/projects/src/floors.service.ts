import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { isObjectId } from './object-id.js';
import { badField, PLANPOINT_LIMITS, PlanpointProjectsService } from './planpoint-projects.service.js';

export interface Floor {
  id: number;
  publicId: string;
  projectId: number;
  projectPublicId: string;
  name: string;
  level: number | null;
  position: number;
  path: string | null;
  alternativePaths: string[];
  image: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface FloorInput {
  name?: string;
  level?: number | null;
  position?: number | null;
  path?: string | null;
  alternativePaths?: string[] | null;
  image?: string | null;
}

interface FloorRow {
  id: string;
  public_id: string;
  project_id: string;
  project_public_id: string;
  name: string;
  level: number | null;
  position: number;
  path: string | null;
  alternative_paths: string[];
  image: string | null;
  created_at: Date;
  updated_at: Date;
}

const FLOOR_SELECT = `SELECT f.id, f.public_id, f.project_id, p.public_id AS project_public_id, f.name, f.level, f.position, f.path,
       f.alternative_paths, f.image, f.created_at, f.updated_at
  FROM floors f JOIN projects p ON p.id = f.project_id`;

function toFloor(r: FloorRow): Floor {
  return {
    id: Number(r.id),
    publicId: r.public_id,
    projectId: Number(r.project_id),
    projectPublicId: r.project_public_id,
    name: r.name,
    level: r.level === null ? null : Number(r.level),
    position: Number(r.position),
    path: r.path,
    alternativePaths: r.alternative_paths ?? [],
    image: r.image,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Floors of Planpoint projects, ordered by position then creation; at most 500 per project. */
@Injectable()
export class FloorsService {
  constructor(
    private readonly store: StoreService,
    private readonly projects: PlanpointProjectsService,
  ) {}

  async list(p: Principal, projectPublicId: string): Promise<Floor[]> {
    const project = await this.projects.get(p, projectPublicId);
    return this.ofProject(project.id);
  }

  async ofProject(projectId: number, tx?: Tx): Promise<Floor[]> {
    const rows = await this.store.query<FloorRow>(
      `${FLOOR_SELECT} WHERE f.project_id = $1 ORDER BY f.position, f.created_at, f.public_id`,
      [projectId],
      tx,
    );
    return rows.map(toFloor);
  }

  async get(p: Principal, publicId: string, tx?: Tx, lock = false): Promise<Floor> {
    const floor = await this.row(p.accountId, publicId, tx, lock);
    if (!floor) throw DomainError.notFound('floor', 'Floor not found');
    return floor;
  }

  async row(accountId: string, publicId: string, tx?: Tx, lock = false): Promise<Floor | undefined> {
    if (!isObjectId(publicId)) return undefined;
    const [row] = await this.store.query<FloorRow>(
      `${FLOOR_SELECT} WHERE f.account_id = $1 AND f.public_id = $2${lock ? ' FOR UPDATE OF f' : ''}`,
      [accountId, publicId.toLowerCase()],
      tx,
    );
    return row ? toFloor(row) : undefined;
  }

  async create(p: Principal, projectPublicId: string, input: FloorInput): Promise<Floor> {
    if (!input.name?.trim()) throw badField('name must be a string of 1 to 255 characters', 'name');
    return this.store.transaction(async (tx) => {
      const project = await this.projects.get(p, projectPublicId, tx, true);
      const [{ n, last }] = await this.store.query<{ n: number; last: number | null }>(
        `SELECT count(*)::int AS n, max(position) AS last FROM floors WHERE project_id = $1`,
        [project.id],
        tx,
      );
      if (n >= PLANPOINT_LIMITS.floors) throw badField(`Project floor limit reached (${PLANPOINT_LIMITS.floors})`, 'floors');
      const position = input.position ?? (last === null ? 0 : Number(last) + 1);
      const [row] = await this.store.write('insert', () =>
        this.store.query<{ public_id: string }>(
          `INSERT INTO floors (account_id, project_id, name, level, position, path, alternative_paths, image)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) RETURNING public_id`,
          [
            p.accountId,
            project.id,
            input.name!.trim(),
            input.level ?? null,
            position,
            input.path ?? null,
            JSON.stringify(input.alternativePaths ?? []),
            input.image ?? null,
          ],
          tx,
        ),
      );
      return this.get(p, row.public_id, tx);
    });
  }

  async update(p: Principal, publicId: string, input: FloorInput): Promise<Floor> {
    return this.store.transaction(async (tx) => {
      const floor = await this.get(p, publicId, tx, true);
      const sets: string[] = [];
      const values: unknown[] = [];
      const set = (column: string, value: unknown, cast = '') => {
        values.push(value);
        sets.push(`${column} = $${values.length + 2}${cast}`);
      };
      if (input.name !== undefined) {
        if (!input.name?.trim()) throw badField('name must be a string of 1 to 255 characters', 'name');
        set('name', input.name.trim());
      }
      if (input.level !== undefined) set('level', input.level);
      if (input.position !== undefined) set('position', input.position ?? 0);
      if (input.path !== undefined) set('path', input.path);
      if (input.alternativePaths !== undefined) set('alternative_paths', JSON.stringify(input.alternativePaths ?? []), '::jsonb');
      if (input.image !== undefined) set('image', input.image);
      if (sets.length) {
        await this.store.write('update', () =>
          this.store.query(
            `UPDATE floors SET ${sets.join(', ')}, updated_at = clock_timestamp() WHERE account_id = $1 AND id = $2`,
            [p.accountId, floor.id, ...values],
            tx,
          ),
        );
      }
      return this.get(p, publicId, tx);
    });
  }

  /** Takes its units (and their places in collections). */
  async remove(p: Principal, publicId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const floor = await this.get(p, publicId, tx, true);
      const units = await this.store.query<{ public_id: string }>(`SELECT public_id FROM units WHERE floor_id = $1`, [floor.id], tx);
      await dropFromCollections(
        this.store,
        tx,
        floor.projectId,
        units.map((u) => u.public_id),
      );
      await this.store.write('delete', () => this.store.query(`DELETE FROM floors WHERE id = $1`, [floor.id], tx));
    });
  }
}

/** Removes units from the collections of their project (their ids leave every `units` list). */
export async function dropFromCollections(store: StoreService, tx: Tx, projectId: number, unitIds: string[]): Promise<void> {
  if (!unitIds.length) return;
  const [row] = await store.query<{ collections: { _id: string; name: string | null; units: string[] }[] }>(
    `SELECT collections FROM projects WHERE id = $1 FOR UPDATE`,
    [projectId],
    tx,
  );
  const gone = new Set(unitIds);
  const next = (row?.collections ?? []).map((c) => ({ ...c, units: (c.units ?? []).filter((u) => !gone.has(u)) }));
  await store.query(`UPDATE projects SET collections = $2::jsonb WHERE id = $1`, [projectId, JSON.stringify(next)], tx);
}
