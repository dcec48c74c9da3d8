import { Injectable } from '@nestjs/common';
import { type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { accountRow } from './account-row.js';
import { found, publicIdKey } from './object-id.js';
import { ProjectSitesService } from './project-sites.service.js';
import { ProjectsRepository, type FloorInput } from './projects.repository.js';

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

/** Floors of a project, ordered by position then creation (ProjectsRepository writes them). */
@Injectable()
export class FloorsService {
  constructor(
    private readonly store: StoreService,
    private readonly sites: ProjectSitesService,
    private readonly projects: ProjectsRepository,
  ) {}

  async list(p: Principal, projectPublicId: string): Promise<Floor[]> {
    const project = await this.sites.get(p, projectPublicId);
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
    return found(await this.row(p.accountId, publicId, tx, lock), 'floor');
  }

  async row(accountId: string, publicId: string, tx?: Tx, lock = false): Promise<Floor | undefined> {
    const row = await accountRow<FloorRow>(this.store, FLOOR_SELECT, 'f', accountId, publicIdKey(publicId), tx, lock);
    return row ? toFloor(row) : undefined;
  }

  async create(p: Principal, projectPublicId: string, input: FloorInput): Promise<Floor> {
    return this.store.transaction(async (tx) => {
      const project = await this.sites.get(p, projectPublicId, tx, true);
      return this.get(p, await this.projects.createFloor(p.accountId, project.id, input, tx), tx);
    });
  }

  async update(p: Principal, publicId: string, input: FloorInput): Promise<Floor> {
    return this.store.transaction(async (tx) => {
      await this.projects.updateFloor(p.accountId, (await this.get(p, publicId, tx, true)).id, input, tx);
      return this.get(p, publicId, tx);
    });
  }

  /** Takes its units (and their places in collections). */
  async remove(p: Principal, publicId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      await this.projects.removeFloor(await this.get(p, publicId, tx, true), tx);
    });
  }
}
