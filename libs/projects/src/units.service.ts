import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { FloorsService } from './floors.service.js';
import { accountRow } from './account-row.js';
import { found, noSuch, publicIdKey } from './object-id.js';
import { ProjectSitesService } from './project-sites.service.js';
import { ProjectsRepository, type UnitInput, type UnitModel } from './projects.repository.js';
import { effectiveStatus, type StoredStatus } from './unit-status.js';

export interface Unit {
  id: number;
  publicId: string;
  projectId: number;
  projectPublicId: string;
  floorId: number;
  floorPublicId: string;
  name: string | null;
  /** As stored (legacy word). */
  status: StoredStatus;
  /** In force now: an expired hold reads Available. */
  effectiveStatus: StoredStatus;
  bedrooms: string | null;
  bath: number | null;
  sqft: number | null;
  price: number | null;
  parking: number | null;
  orientation: string | null;
  model: string | null;
  unitmodels: UnitModel[];
  onHoldExpiresAt: Date | null;
  position: number;
  extra: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** A unit as selected: its own fields as stored, the rest in column names. */
type UnitRow = Pick<
  Unit,
  'name' | 'status' | 'bedrooms' | 'bath' | 'sqft' | 'price' | 'parking' | 'orientation' | 'model' | 'unitmodels'
> & {
  id: string;
  public_id: string;
  project_id: string;
  project_public_id: string;
  floor_id: string;
  floor_public_id: string;
  on_hold_expires_at: Date | null;
  position: number;
  extra: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
};

const UNIT_SELECT = `SELECT n.id, n.public_id, n.project_id, p.public_id AS project_public_id, n.floor_id, f.public_id AS floor_public_id,
       n.name, n.status, n.bedrooms, n.bath, n.sqft, n.price, n.parking, n.orientation, n.model, n.unitmodels,
       n.on_hold_expires_at, n.position, n.extra, n.created_at, n.updated_at
  FROM units n
  JOIN floors f ON f.id = n.floor_id
  JOIN projects p ON p.id = n.project_id`;

const ORDER = `ORDER BY f.position, f.created_at, f.public_id, n.position, n.created_at, n.public_id`;

const num = (v: number | null) => (v === null ? null : Number(v));

function toUnit(r: UnitRow, now = Date.now()): Unit {
  const onHoldExpiresAt = r.on_hold_expires_at ? new Date(r.on_hold_expires_at) : null;
  return {
    id: Number(r.id),
    publicId: r.public_id,
    projectId: Number(r.project_id),
    projectPublicId: r.project_public_id,
    floorId: Number(r.floor_id),
    floorPublicId: r.floor_public_id,
    name: r.name,
    status: r.status,
    effectiveStatus: effectiveStatus(r.status, onHoldExpiresAt, now),
    bedrooms: r.bedrooms,
    bath: num(r.bath),
    sqft: num(r.sqft),
    price: num(r.price),
    parking: num(r.parking),
    orientation: r.orientation,
    model: r.model,
    unitmodels: r.unitmodels ?? [],
    onHoldExpiresAt,
    position: Number(r.position),
    extra: r.extra ?? {},
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Units of a project, each on one of its floors (ProjectsRepository writes them); batch updates all or nothing. */
@Injectable()
export class UnitsService {
  constructor(
    private readonly store: StoreService,
    private readonly sites: ProjectSitesService,
    private readonly floors: FloorsService,
    private readonly projects: ProjectsRepository,
  ) {}

  async list(p: Principal, projectPublicId: string, floorPublicId?: string): Promise<Unit[]> {
    const project = await this.sites.get(p, projectPublicId);
    let floorId: number | undefined;
    if (floorPublicId !== undefined) {
      const floor = await this.floors.row(p.accountId, floorPublicId);
      if (!floor || floor.projectId !== project.id) throw noSuch('floor');
      floorId = floor.id;
    }
    return this.ofProject(project.id, floorId);
  }

  async ofProject(projectId: number, floorId?: number, tx?: Tx): Promise<Unit[]> {
    const rows = await this.store.query<UnitRow>(
      `${UNIT_SELECT} WHERE n.project_id = $1${floorId === undefined ? '' : ' AND n.floor_id = $2'} ${ORDER}`,
      floorId === undefined ? [projectId] : [projectId, floorId],
      tx,
    );
    const now = Date.now();
    return rows.map((r) => toUnit(r, now));
  }

  async get(p: Principal, publicId: string, tx?: Tx, lock = false): Promise<Unit> {
    return found(await this.row(p.accountId, publicId, tx, lock), 'unit');
  }

  async row(accountId: string, publicId: string, tx?: Tx, lock = false): Promise<Unit | undefined> {
    const row = await accountRow<UnitRow>(this.store, UNIT_SELECT, 'n', accountId, publicIdKey(publicId), tx, lock);
    return row ? toUnit(row) : undefined;
  }

  async create(p: Principal, floorPublicId: string, input: UnitInput): Promise<Unit> {
    return this.store.transaction(async (tx) => {
      const floor = found(await this.floors.row(p.accountId, floorPublicId, tx), 'floor');
      return this.get(p, await this.projects.createUnit(p.accountId, floor, input, tx), tx);
    });
  }

  async update(p: Principal, publicId: string, input: UnitInput): Promise<Unit> {
    return this.store.transaction(async (tx) => {
      await this.projects.updateUnit(p.accountId, await this.get(p, publicId, tx, true), input, tx);
      return this.get(p, publicId, tx);
    });
  }

  /**
   * One patch on many units, all or nothing: every id must be a unit of the caller's account, else FORBIDDEN and
   * nothing changes. Answers the units in `ids` order (duplicates collapsed).
   */
  async updateMany(p: Principal, ids: string[], input: UnitInput): Promise<Unit[]> {
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
    return this.store.transaction(async (tx) => {
      const rows = await this.store.query<{ public_id: string }>(
        `SELECT public_id FROM units WHERE account_id = $1 AND public_id = ANY($2::text[]) ORDER BY id FOR UPDATE`,
        [p.accountId, wanted],
        tx,
      );
      if (rows.length !== wanted.length)
        throw new DomainError('FORBIDDEN', 'Forbidden: some units are not accessible', { reason: 'units_not_accessible' });
      const out: Unit[] = [];
      for (const id of wanted) {
        await this.projects.updateUnit(p.accountId, (await this.row(p.accountId, id, tx))!, input, tx);
        out.push(await this.get(p, id, tx));
      }
      return out;
    });
  }

  /** Leaves its collections; its leads keep `unit: null`. */
  async remove(p: Principal, publicId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      await this.projects.removeUnit(await this.get(p, publicId, tx, true), tx);
    });
  }
}
