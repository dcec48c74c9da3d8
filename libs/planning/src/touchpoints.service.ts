import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { CompaniesRepository } from './companies.repository.js';
import { canWriteFor, clientScope } from './row-visibility.js';

export const QUARTERS = ['Q1', 'Q2', 'Q3', 'Q4', 'All'] as const;
export type Quarter = (typeof QUARTERS)[number];

/** A touchpoint's own fields, validated and in canonical form (the protocol's wire layer does that). */
export interface TouchpointFields {
  companyName: string;
  touchpoints: string;
  reportingQuarter: Quarter;
  reportingYear: string;
  stakeholders: string | null;
  /** YYYY-MM-DD */
  date: string;
  timeSpent: number | null;
  includeInAnnualReviewReport: 'Yes' | 'No';
}

export interface Touchpoint extends TouchpointFields {
  unid: string;
  year: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface TouchpointFilters {
  companyName?: string;
  quarter?: Quarter;
  stakeholder?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SELECT = `SELECT t.unid, c.name AS "companyName", t.touchpoints, t.reporting_quarter AS "reportingQuarter",
  t.reporting_year AS "reportingYear", t.stakeholders, to_char(t.date, 'YYYY-MM-DD') AS date, t.time_spent AS "timeSpent",
  t.include_in_annual_review_report AS "includeInAnnualReviewReport", t.year, t.created_by AS "createdBy",
  t.created_at AS "createdAt", t.updated_at AS "updatedAt"
  FROM touchpoints t JOIN companies c ON c.id = t.company_id`;

function notFound(): DomainError {
  return DomainError.notFound('touchpoint', 'Touchpoint not found');
}

function accessDenied(companyName: string): DomainError {
  return new DomainError('FORBIDDEN', `Access denied for company '${companyName.trim()}'`, { reason: 'company_not_assigned' });
}

/**
 * Client touchpoints per reporting year. They belong to the account; a non-admin sees and writes only its
 * assigned clients' touchpoints (others are "not found" to read, "forbidden" to write).
 */
@Injectable()
export class TouchpointsService {
  constructor(
    private readonly store: StoreService,
    private readonly companies: CompaniesRepository,
  ) {}

  async create(p: Principal, year: number, fields: TouchpointFields): Promise<Touchpoint> {
    if (!canWriteFor(p, fields.companyName)) throw accessDenied(fields.companyName);
    return this.store.transaction(async (tx) => {
      const company = await this.companies.findOrCreate(p.accountId, fields.companyName, tx);
      const unid = randomUUID();
      await this.store.write('insert', () =>
        this.store.query(
          `INSERT INTO touchpoints (unid, account_id, year, company_id, touchpoints, reporting_quarter, reporting_year,
             stakeholders, date, time_spent, include_in_annual_review_report, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            unid,
            p.accountId,
            year,
            company.id,
            fields.touchpoints,
            fields.reportingQuarter,
            fields.reportingYear,
            fields.stakeholders,
            fields.date,
            fields.timeSpent,
            fields.includeInAnnualReviewReport,
            p.username,
          ],
          tx,
        ),
      );
      return (await this.find(p, year, unid, tx))!;
    });
  }

  /** The caller's visible touchpoints of that year, newest date first. */
  async list(p: Principal, year: number, filters: TouchpointFilters = {}): Promise<Touchpoint[]> {
    const scope = clientScope(p);
    const params: unknown[] = [p.accountId, year];
    const where = ['t.account_id = $1', 't.year = $2'];
    if (!scope.all) {
      params.push([...scope.keys]);
      where.push(`lower(btrim(c.name)) = ANY($${params.length}::text[])`);
    }
    if (filters.companyName !== undefined) {
      params.push(filters.companyName);
      where.push(`lower(btrim(c.name)) = lower(btrim($${params.length}))`);
    }
    if (filters.quarter !== undefined) {
      params.push(filters.quarter);
      where.push(`t.reporting_quarter = $${params.length}`);
    }
    if (filters.stakeholder !== undefined) {
      params.push(filters.stakeholder);
      where.push(
        `EXISTS (SELECT 1 FROM unnest(string_to_array(t.stakeholders, ',')) AS s(v) WHERE lower(btrim(s.v)) = lower(btrim($${params.length})))`,
      );
    }
    const rows = await this.store.query<Touchpoint>(
      `${SELECT} WHERE ${where.join(' AND ')} ORDER BY t.date DESC, t.created_at DESC`,
      params,
    );
    return rows.map(normalize);
  }

  async get(p: Principal, year: number, unid: string): Promise<Touchpoint> {
    const found = await this.find(p, year, unid);
    if (!found) throw notFound();
    return found;
  }

  async update(p: Principal, year: number, unid: string, patch: Partial<TouchpointFields>): Promise<Touchpoint> {
    if (Object.keys(patch).length === 0) throw DomainError.invalid([], 'No fields to update');
    return this.store.transaction(async (tx) => {
      const current = await this.find(p, year, unid, tx, true);
      if (!current) throw notFound();
      const next = { ...current, ...patch };
      if (patch.companyName !== undefined && !canWriteFor(p, patch.companyName)) throw accessDenied(patch.companyName);
      const company = await this.companies.findOrCreate(p.accountId, next.companyName, tx);
      await this.store.query(
        `UPDATE touchpoints SET company_id = $3, touchpoints = $4, reporting_quarter = $5, reporting_year = $6,
           stakeholders = $7, date = $8, time_spent = $9, include_in_annual_review_report = $10, updated_at = clock_timestamp()
         WHERE account_id = $1 AND unid = $2`,
        [
          p.accountId,
          unid,
          company.id,
          next.touchpoints,
          next.reportingQuarter,
          next.reportingYear,
          next.stakeholders,
          next.date,
          next.timeSpent,
          next.includeInAnnualReviewReport,
        ],
        tx,
      );
      return (await this.find(p, year, unid, tx))!;
    });
  }

  async delete(p: Principal, year: number, unid: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const current = await this.find(p, year, unid, tx, true);
      if (!current) throw notFound();
      await this.store.query(`DELETE FROM touchpoints WHERE account_id = $1 AND unid = $2`, [p.accountId, unid], tx);
    });
  }

  /** One touchpoint of this account and year that the caller may see; undefined otherwise (never a hint which). */
  private async find(p: Principal, year: number, unid: string, tx?: Tx, lock = false): Promise<Touchpoint | undefined> {
    if (!UUID.test(unid)) return undefined;
    const [row] = await this.store.query<Touchpoint>(
      `${SELECT} WHERE t.account_id = $1 AND t.year = $2 AND t.unid = $3${lock ? ' FOR UPDATE OF t' : ''}`,
      [p.accountId, year, unid],
      tx,
    );
    if (!row || !canWriteFor(p, row.companyName)) return undefined;
    return normalize(row);
  }
}

function normalize(row: Touchpoint): Touchpoint {
  return { ...row, year: Number(row.year), timeSpent: row.timeSpent === null ? null : Number(row.timeSpent) };
}
