import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { StoreService } from '#store';
import { noSuch } from './object-id.js';
import { ProjectSitesService, type ProjectSite } from './project-sites.service.js';
import { UnitsService } from './units.service.js';

export interface Lead {
  publicId: string;
  projectPublicId: string;
  name: string;
  email: string;
  phone: string | null;
  message: string | null;
  unitPublicId: string | null;
  createdAt: Date;
}

export interface LeadInput {
  name: string;
  email: string;
  phone?: string | null;
  message?: string | null;
  unit?: string | null;
}

interface LeadRow {
  public_id: string;
  project_public_id: string;
  name: string;
  email: string;
  phone: string | null;
  message: string | null;
  unit_public_id: string | null;
  created_at: Date;
}

const LEAD_SELECT = `SELECT l.public_id, p.public_id AS project_public_id, l.name, l.email, l.phone, l.message, n.public_id AS unit_public_id, l.created_at
  FROM leads l JOIN projects p ON p.id = l.project_id LEFT JOIN units n ON n.id = l.unit_id`;

function toLead(r: LeadRow): Lead {
  return {
    publicId: r.public_id,
    projectPublicId: r.project_public_id,
    name: r.name,
    email: r.email,
    phone: r.phone,
    message: r.message,
    unitPublicId: r.unit_public_id,
    createdAt: r.created_at,
  };
}

/** Leads from the viewer's contact form, listed newest first for the project's account. */
@Injectable()
export class LeadsService {
  constructor(
    private readonly store: StoreService,
    private readonly sites: ProjectSitesService,
    private readonly units: UnitsService,
  ) {}

  async list(p: Principal, projectPublicId: string): Promise<Lead[]> {
    const project = await this.sites.get(p, projectPublicId);
    const rows = await this.store.query<LeadRow>(`${LEAD_SELECT} WHERE l.project_id = $1 ORDER BY l.created_at DESC, l.public_id DESC`, [
      project.id,
    ]);
    return rows.map(toLead);
  }

  /** A lead for a project already found visible (and not paused) by the caller; forms may be turned off. */
  async create(project: ProjectSite, input: LeadInput): Promise<Lead> {
    if (project.viewerSettings.enableForms === false)
      throw new DomainError('FORBIDDEN', 'Forms are disabled for this project', { reason: 'forms_disabled' });
    let unitId: number | null = null;
    if (input.unit) {
      const unit = await this.units.row(project.accountId, input.unit);
      if (!unit || unit.projectId !== project.id) throw noSuch('unit');
      unitId = unit.id;
    }
    const [row] = await this.store.write('insert', () =>
      this.store.query<{ public_id: string }>(
        `INSERT INTO leads (account_id, project_id, unit_id, name, email, phone, message) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING public_id`,
        [project.accountId, project.id, unitId, input.name, input.email, input.phone ?? null, input.message ?? null],
      ),
    );
    const [lead] = await this.store.query<LeadRow>(`${LEAD_SELECT} WHERE l.public_id = $1`, [row.public_id]);
    return toLead(lead);
  }
}
