import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { dropFromCollections, FloorsService } from './floors.service.js';
import { isObjectId, newObjectId } from './object-id.js';
import { badField, PLANPOINT_LIMITS, PlanpointProjectsService, type ListElementInput } from './planpoint-projects.service.js';
import { effectiveStatus, type StoredStatus } from './unit-status.js';

export interface UnitModel {
  _id: string;
  name: string | null;
  floorplan: string | null;
}

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

/** A unit's writable fields, in stored terms (the protocol maps its vocabularies): absent keeps, `null` clears. */
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
  /** Legacy extras, merged key by key; `null` removes a key. */
  extra?: Record<string, unknown>;
  /** PATCH: another floor of the same project (`_id`). */
  floor?: string;
}

interface UnitRow {
  id: string;
  public_id: string;
  project_id: string;
  project_public_id: string;
  floor_id: string;
  floor_public_id: string;
  name: string | null;
  status: StoredStatus;
  bedrooms: string | null;
  bath: number | null;
  sqft: number | null;
  price: number | null;
  parking: number | null;
  orientation: string | null;
  model: string | null;
  unitmodels: UnitModel[];
  on_hold_expires_at: Date | null;
  position: number;
  extra: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

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

const COLUMNS: [keyof UnitInput, string][] = [
  ['name', 'name'],
  ['bedrooms', 'bedrooms'],
  ['bath', 'bath'],
  ['sqft', 'sqft'],
  ['price', 'price'],
  ['parking', 'parking'],
  ['orientation', 'orientation'],
  ['model', 'model'],
];

/** Units of Planpoint projects: on a floor, at most 5,000 per project; batch updates all or nothing. */
@Injectable()
export class UnitsService {
  constructor(
    private readonly store: StoreService,
    private readonly projects: PlanpointProjectsService,
    private readonly floors: FloorsService,
  ) {}

  async list(p: Principal, projectPublicId: string, floorPublicId?: string): Promise<Unit[]> {
    const project = await this.projects.get(p, projectPublicId);
    let floorId: number | undefined;
    if (floorPublicId !== undefined) {
      const floor = await this.floors.row(p.accountId, floorPublicId);
      if (!floor || floor.projectId !== project.id) throw DomainError.notFound('floor', 'Floor not found');
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

  async get(p: Principal, publicId: string, tx?: Tx): Promise<Unit> {
    const unit = await this.row(p.accountId, publicId, tx);
    if (!unit) throw DomainError.notFound('unit', 'Unit not found');
    return unit;
  }

  async row(accountId: string, publicId: string, tx?: Tx, lock = false): Promise<Unit | undefined> {
    if (!isObjectId(publicId)) return undefined;
    const [row] = await this.store.query<UnitRow>(
      `${UNIT_SELECT} WHERE n.account_id = $1 AND n.public_id = $2${lock ? ' FOR UPDATE OF n' : ''}`,
      [accountId, publicId.toLowerCase()],
      tx,
    );
    return row ? toUnit(row) : undefined;
  }

  async create(p: Principal, floorPublicId: string, input: UnitInput): Promise<Unit> {
    return this.store.transaction(async (tx) => {
      const floor = await this.floors.row(p.accountId, floorPublicId, tx);
      if (!floor) throw DomainError.notFound('floor', 'Floor not found');
      await this.store.query(`SELECT 1 FROM projects WHERE id = $1 FOR UPDATE`, [floor.projectId], tx);
      const [{ n }] = await this.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM units WHERE project_id = $1`,
        [floor.projectId],
        tx,
      );
      if (n >= PLANPOINT_LIMITS.units) throw badField(`Project unit limit reached (${PLANPOINT_LIMITS.units})`, 'units');
      const [{ last }] = await this.store.query<{ last: number | null }>(
        `SELECT max(position) AS last FROM units WHERE floor_id = $1`,
        [floor.id],
        tx,
      );
      const position = input.position ?? (last === null ? 0 : Number(last) + 1);
      const [row] = await this.store.write('insert', () =>
        this.store.query<{ public_id: string }>(
          `INSERT INTO units (account_id, project_id, floor_id, name, status, bedrooms, bath, sqft, price, parking, orientation, model,
             unitmodels, on_hold_expires_at, position, extra)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16::jsonb) RETURNING public_id`,
          [
            p.accountId,
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
            position,
            JSON.stringify(mergeExtra({}, input.extra)),
          ],
          tx,
        ),
      );
      return this.get(p, row.public_id, tx);
    });
  }

  async update(p: Principal, publicId: string, input: UnitInput): Promise<Unit> {
    return this.store.transaction(async (tx) => {
      const unit = await this.row(p.accountId, publicId, tx, true);
      if (!unit) throw DomainError.notFound('unit', 'Unit not found');
      await this.apply(p, unit, input, tx);
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
        const unit = (await this.row(p.accountId, id, tx))!;
        await this.apply(p, unit, input, tx);
        out.push(await this.get(p, id, tx));
      }
      return out;
    });
  }

  /** Leaves its collections; its leads keep `unit: null`. */
  async remove(p: Principal, publicId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const unit = await this.row(p.accountId, publicId, tx, true);
      if (!unit) throw DomainError.notFound('unit', 'Unit not found');
      await dropFromCollections(this.store, tx, unit.projectId, [unit.publicId]);
      await this.store.write('delete', () => this.store.query(`DELETE FROM units WHERE id = $1`, [unit.id], tx));
    });
  }

  private async apply(p: Principal, unit: Unit, input: UnitInput, tx: Tx): Promise<void> {
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown, cast = '') => {
      values.push(value);
      sets.push(`${column} = $${values.length + 1}${cast}`);
    };
    for (const [key, column] of COLUMNS) if (input[key] !== undefined) set(column, input[key]);
    if (input.status !== undefined) set('status', input.status ?? 'Available');
    if (input.onHoldExpiresAt !== undefined) set('on_hold_expires_at', input.onHoldExpiresAt);
    if (input.position !== undefined) set('position', input.position ?? 0);
    if (input.unitmodels !== undefined) set('unitmodels', JSON.stringify(mergeModels(unit.unitmodels, input.unitmodels ?? [])), '::jsonb');
    if (input.extra !== undefined) set('extra', JSON.stringify(mergeExtra(unit.extra, input.extra)), '::jsonb');
    if (input.floor !== undefined) {
      const floor = await this.floors.row(p.accountId, input.floor, tx);
      if (!floor || floor.projectId !== unit.projectId) throw badField('floor must be a floor of the same project', 'floor');
      set('floor_id', floor.id);
    }
    if (!sets.length) return;
    await this.store.write('update', () =>
      this.store.query(`UPDATE units SET ${sets.join(', ')}, updated_at = clock_timestamp() WHERE id = $1`, [unit.id, ...values], tx),
    );
  }
}

function mergeExtra(current: Record<string, unknown>, patch: Record<string, unknown> | undefined): Record<string, unknown> {
  const next = { ...current };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}

/** Unit models: objects (kept `_id`, or a new one) or ids of the unit's own models (else 400). */
function mergeModels(current: UnitModel[], input: ListElementInput<UnitModel>[]): UnitModel[] {
  const byId = new Map(current.map((m) => [m._id, m]));
  const out: UnitModel[] = [];
  for (const element of input) {
    if (typeof element === 'string') {
      const kept = byId.get(element.toLowerCase());
      if (!kept) throw badField("unitmodels must be objects or ids of the unit's own models", 'unitmodels');
      out.push(kept);
      continue;
    }
    const base = element._id !== undefined ? byId.get(element._id.toLowerCase()) : undefined;
    out.push({
      _id: element._id?.toLowerCase() ?? newObjectId(),
      name: element.name !== undefined ? element.name : (base?.name ?? null),
      floorplan: element.floorplan !== undefined ? element.floorplan : (base?.floorplan ?? null),
    });
  }
  return out;
}
