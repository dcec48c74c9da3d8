import { Injectable } from '@nestjs/common';
import { SettingsRegistry, type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { ContactsService, type ContactRef } from './contacts.service.js';
import { deadlineAt, deadlineFlags } from './deadlines.js';
import { issue, ISSUE, notFound } from './issues.js';
import { paged, type Page, type Paged } from './paging.js';
import { PeopleRepository, type PersonRef } from './people.repository.js';
import { refuseParentLoop, replaceMembers } from './members.js';
import { ProjectsRepository, requiredTitle, type ProjectChanges, type ProjectStatus } from './projects.repository.js';
import { accountRow } from './account-row.js';
import { plausibleRef, refColumn, refKey, type Ref } from './refs.js';
import { type ExplicitHostName } from './slug.js';

export const PROJECT_ROLES = ['manager', 'worker', 'auditor'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export interface Project {
  id: number;
  /** The id in ObjectId layout that public finds and JSON clients address it by. */
  publicId: string;
  general: number;
  title: string;
  /** Its host name under the account's namespace. */
  slug: string;
  description: string | null;
  status: ProjectStatus;
  owner: PersonRef;
  client: ContactRef | null;
  parentId: number | null;
  hidden: boolean;
  hasEndDate: boolean;
  /** YYYY-MM-DD */
  endDate: string | null;
  createdAt: Date;
  taskCount: number;
  isOverdue: boolean;
  isCloseToDeadline: boolean;
}

export interface ProjectWithPeople extends Project {
  managers: PersonRef[];
  workers: PersonRef[];
  auditors: PersonRef[];
}

/** A project's writable fields: absent keeps, `null` clears; user lists replace. Users and contacts by number/id. */
export interface ProjectInput {
  title?: string;
  description?: string | null;
  /** 0: the caller. */
  ownerNumber?: number;
  /** null: no client. */
  clientId?: number | null;
  status?: ProjectStatus;
  hidden?: boolean;
  hasEndDate?: boolean;
  endDate?: string | null;
  parentId?: number | null;
  managers?: number[];
  workers?: number[];
  auditors?: number[];
  hostName?: ExplicitHostName;
}

export interface ProjectFilter {
  target: 'all' | 'in' | 'out' | 'template';
  status?: ProjectStatus;
  clientId?: number;
  /** Projects of that user (number): owned or taken part in. */
  userNumber?: number;
  sort: 'NUMBER_ASC' | 'NUMBER_DESC' | 'TITLE_ASC' | 'TITLE_DESC';
}

const SORT: Record<ProjectFilter['sort'], string> = {
  NUMBER_ASC: 'p.general',
  NUMBER_DESC: 'p.general DESC',
  TITLE_ASC: 'lower(p.title), p.general',
  TITLE_DESC: 'lower(p.title) DESC, p.general',
};

interface ProjectRow {
  id: string;
  public_id: string;
  general: number;
  title: string;
  slug: string;
  description: string | null;
  status: ProjectStatus;
  owner_number: number;
  owner_name: string;
  client_id: string | null;
  client_name: string | null;
  parent_id: string | null;
  hidden: boolean;
  has_end_date: boolean;
  end_date: string | null;
  created_at: Date;
  task_count: number;
}

export const PROJECT_SELECT = `SELECT p.id, p.public_id, p.general, p.title, p.slug, p.description, p.status,
       u.number AS owner_number, u.username AS owner_name,
       coalesce(cp.id, cc.contact_id) AS client_id, coalesce(cc.name, btrim(cp.name || ' ' || cp.last_name)) AS client_name,
       p.parent_id, p.hidden, p.has_end_date, to_char(p.end_date, 'YYYY-MM-DD') AS end_date, p.created_at,
       (SELECT count(*) FROM tasks t WHERE t.project_id = p.id)::int AS task_count
  FROM projects p
  JOIN users u ON u.id = p.owner_user_id
  LEFT JOIN contacts cp ON cp.id = p.client_contact_id
  LEFT JOIN companies cc ON cc.id = p.client_company_id`;

/**
 * Projects of an account as planning records: numbered per account (`general`), with an owner, a client, a parent,
 * people by role and a deadline in the account's time zone. The same rows as ProjectSitesService's (its own fields
 * keep their defaults here); ProjectsRepository writes both.
 */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly store: StoreService,
    private readonly people: PeopleRepository,
    private readonly contacts: ContactsService,
    private readonly projects: ProjectsRepository,
    private readonly settings: SettingsRegistry,
  ) {}

  async list(p: Principal, filter: ProjectFilter, page: Page): Promise<Paged<Project>> {
    if (filter.target === 'template') return { total: 0, items: [] };
    const params: unknown[] = [p.accountId];
    const where = ['p.account_id = $1'];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.target === 'out') add((n) => `p.owner_user_id = ${n}`, p.userId);
    if (filter.target === 'in') {
      add(
        (n) => `(p.owner_user_id = ${n} OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.user_id = ${n}))`,
        p.userId,
      );
    }
    if (filter.status) add((n) => `p.status = ${n}`, filter.status);
    if (filter.clientId !== undefined) add((n) => `(cp.id = ${n} OR cc.contact_id = ${n})`, filter.clientId);
    if (filter.userNumber !== undefined) {
      add(
        (n) => `EXISTS (SELECT 1 FROM users x WHERE x.account_id = p.account_id AND x.number = ${n}
                 AND (x.id = p.owner_user_id OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.user_id = x.id)))`,
        filter.userNumber,
      );
    }
    const sql = `${PROJECT_SELECT} WHERE ${where.join(' AND ')}`;
    const tz = this.settings.of('timeZone', p);
    return paged(
      page,
      (limit, offset) =>
        this.store.query<ProjectRow & { total_count: string }>(
          `SELECT q.*, count(*) OVER () AS total_count FROM (${sql}) q ORDER BY ${SORT[filter.sort].replace(/p\./g, 'q.')}
            LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
          [...params, limit, offset],
        ),
      async () => (await this.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) q`, params))[0].n,
      (rows) => rows.map((r) => toProject(r, tz)),
    );
  }

  async get(p: Principal, ref: Ref): Promise<ProjectWithPeople> {
    const row = await this.find(p.accountId, ref);
    if (!row) throw notFound('project');
    return this.withPeople(row, this.settings.of('timeZone', p));
  }

  async add(p: Principal, input: ProjectInput): Promise<Project> {
    requiredTitle(input.title);
    return this.store.transaction(async (tx) => {
      const { people, ...resolved } = await this.resolveFields(p, input, tx);
      const hasEndDate = input.hasEndDate ?? false;
      const endDate = input.endDate ?? null;
      if (hasEndDate && !endDate) throw issue(ISSUE.dependentMissing, 'endDate', 'is required when hasEndDate is 1');
      const { id } = await this.projects.createProject(
        p.accountId,
        { ...ownFields(input), ...resolved, ownerUserId: resolved.ownerUserId ?? p.userId, hasEndDate, endDate },
        tx,
      );
      await replaceMembers(this.store, { table: 'project_members', column: 'project_id' }, id, people, tx);
      return toProject((await this.find(p.accountId, { id }, tx))!, this.settings.of('timeZone', p));
    });
  }

  async update(p: Principal, ref: Ref, input: ProjectInput): Promise<Project> {
    return this.store.transaction(async (tx) => {
      const current = await this.find(p.accountId, ref, tx, true);
      if (!current) throw notFound('project');
      const id = Number(current.id);
      if (input.title !== undefined) requiredTitle(input.title);
      const { people, ...resolved } = await this.resolveFields(p, input, tx, id);
      const hasEndDate = input.hasEndDate ?? current.has_end_date;
      const endDate = input.endDate !== undefined ? input.endDate : current.end_date;
      if (hasEndDate && !endDate) throw issue(ISSUE.dependentMissing, 'endDate', 'is required when hasEndDate is 1');
      await this.projects.updateProject(p.accountId, id, { ...ownFields(input), ...resolved, hasEndDate, endDate }, tx);
      await replaceMembers(this.store, { table: 'project_members', column: 'project_id' }, id, people, tx);
      return toProject((await this.find(p.accountId, { id }, tx))!, this.settings.of('timeZone', p));
    });
  }

  /** The project's numeric id when it is one of the account's; undefined otherwise. */
  async idOf(accountId: string, ref: Ref, tx?: Tx): Promise<number | undefined> {
    if (!plausibleRef(ref)) return undefined;
    const [column, value] = refColumn(ref);
    const [row] = await this.store.queryPrepared<{ id: string }>(
      `SELECT id FROM projects WHERE account_id = $1 AND ${column} = $2`,
      [accountId, value],
      tx,
    );
    return row ? Number(row.id) : undefined;
  }

  private find(accountId: string, ref: Ref, tx?: Tx, lock = false): Promise<ProjectRow | undefined> {
    return accountRow<ProjectRow>(this.store, PROJECT_SELECT, 'p', accountId, refKey(ref), tx, lock);
  }

  private async withPeople(row: ProjectRow, tz: string): Promise<ProjectWithPeople> {
    const members = await this.store.query<{ role: ProjectRole; number: number; username: string }>(
      `SELECT m.role, u.number, u.username FROM project_members m JOIN users u ON u.id = m.user_id WHERE m.project_id = $1 ORDER BY u.number`,
      [row.id],
    );
    const of = (role: ProjectRole) =>
      members.filter((m) => m.role === role).map((m) => ({ number: Number(m.number), username: m.username }));
    return { ...toProject(row, tz), managers: of('manager'), workers: of('worker'), auditors: of('auditor') };
  }

  /** Users, client and parent named by the input, resolved in the account (user, contact, project not found). */
  private async resolveFields(p: Principal, input: ProjectInput, tx: Tx, selfId?: number) {
    const ownerUserId = await this.people.owner(p, input.ownerNumber, tx);
    const client = await this.contacts.client(p.accountId, input.clientId, tx);
    const parentId = input.parentId;
    if (parentId !== undefined && parentId !== null) {
      const found = await this.idOf(p.accountId, { id: parentId }, tx);
      if (found === undefined) throw notFound('project');
      await refuseParentLoop(this.store, 'projects', selfId, found, tx);
    }
    const people = await this.people.byRole<ProjectRole>(
      p.accountId,
      { manager: input.managers, worker: input.workers, auditor: input.auditors },
      tx,
    );
    return { ownerUserId, client, parentId, people };
  }
}

/** The input's fields that need no lookup. */
function ownFields({ title, hostName, description, status, hidden }: ProjectInput): ProjectChanges {
  return { title, hostName, description, status, hidden };
}

function toProject(r: ProjectRow, tz: string): Project {
  const endMs = r.has_end_date && r.end_date ? deadlineAt(r.end_date, null, tz) : null;
  const flags = deadlineFlags(r.created_at.getTime(), endMs, Date.now(), r.status === 'ACTIVE');
  return {
    id: Number(r.id),
    publicId: r.public_id,
    general: Number(r.general),
    title: r.title,
    slug: r.slug,
    description: r.description,
    status: r.status,
    owner: { number: Number(r.owner_number), username: r.owner_name },
    client: r.client_id === null ? null : { id: Number(r.client_id), name: r.client_name ?? '' },
    parentId: r.parent_id === null ? null : Number(r.parent_id),
    hidden: r.hidden,
    hasEndDate: r.has_end_date,
    endDate: r.end_date,
    createdAt: r.created_at,
    taskCount: Number(r.task_count),
    isOverdue: flags.overdue,
    isCloseToDeadline: flags.close,
  };
}
