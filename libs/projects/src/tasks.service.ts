import { Injectable } from '@nestjs/common';
import { SettingsRegistry, type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { clientColumns, ContactsService, type ContactRef } from './contacts.service.js';
import { deadlineAt, deadlineFlags, deadlineSql } from './deadlines.js';
import { issue, ISSUE, missing, notAllowed, notFound } from './issues.js';
import { paged, type Page, type Paged } from './paging.js';
import { PeopleRepository, type PersonRef } from './people.repository.js';
import { ProjectsService } from './projects.service.js';
import { refuseParentLoop, replaceMembers } from './members.js';
import { accountRow } from './account-row.js';
import { plausibleRef, refColumn, refKey, type Ref } from './refs.js';
import { ACTIVE_STATUS_IDS, OVERDUE_STATUSES, STATUS } from './task-statuses.js';

export const TASK_ROLES = ['worker', 'member', 'auditor'] as const;
export type TaskRole = (typeof TASK_ROLES)[number];
export type Importance = 'AVERAGE' | 'HIGH';

/** A local date (YYYY-MM-DD) and maybe a time (HH:MM) in the account's time zone. */
export interface LocalMoment {
  date: string;
  time: string | null;
}

export interface Task {
  id: number;
  general: number;
  title: string;
  description: string;
  importance: Importance;
  status: number;
  checkResult: boolean;
  owner: PersonRef;
  parentId: number | null;
  project: { id: number; title: string } | null;
  client: ContactRef | null;
  beginAt: Date;
  start: LocalMoment | null;
  end: LocalMoment | null;
  duration: number | null;
  /** 0 minutes, 1 hours, 2 days */
  durationUnit: number | null;
  isSummary: boolean;
  starred: boolean;
  isOverdue: boolean;
  isCloseToDeadline: boolean;
  workers: PersonRef[];
  members: PersonRef[];
  auditors: PersonRef[];
}

/** Writable fields: absent keeps, `null` clears, user lists replace. Users by number, contacts and tasks by id. */
export interface TaskInput {
  title?: string;
  description?: string;
  importance?: Importance;
  status?: number;
  checkResult?: boolean;
  ownerNumber?: number;
  parentId?: number | null;
  projectId?: number | null;
  clientId?: number | null;
  /** Admin callers only (the wire layer drops it for others). */
  beginAt?: Date;
  start?: LocalMoment | null;
  end?: LocalMoment | null;
  duration?: number | null;
  durationUnit?: number | null;
  isSummary?: boolean;
  workers?: number[];
  members?: number[];
  auditors?: number[];
}

export type TaskSort =
  | 'NUMBER_ASC'
  | 'NUMBER_DESC'
  | 'IMPORTANCE_ASC'
  | 'IMPORTANCE_DESC'
  | 'DEADLINE_ASC'
  | 'DEADLINE_DESC'
  | 'TASKTITLE_ASC'
  | 'TASKTITLE_DESC'
  | 'PROJECT_ASC'
  | 'PROJECT_DESC';

export interface TaskFilter {
  target: 'all' | 'in' | 'out' | 'template' | 'periodic';
  project?: { id: number; withSubprojects: boolean };
  parentId?: number;
  status?: number;
  /** Every one must hold. */
  flags: ('ACTIVE' | 'OVERDUE' | 'MY')[];
  sort: TaskSort;
  /** Tasks that user (number) owns or works on. */
  userNumber?: number;
}

const SORT: Record<TaskSort, string> = {
  NUMBER_ASC: 'q.general',
  NUMBER_DESC: 'q.general DESC',
  IMPORTANCE_ASC: `(q.importance = 'HIGH'), q.general`,
  IMPORTANCE_DESC: `(q.importance = 'HIGH') DESC, q.general`,
  DEADLINE_ASC: 'q.end_date NULLS LAST, q.end_time NULLS LAST, q.general',
  DEADLINE_DESC: 'q.end_date DESC NULLS LAST, q.end_time DESC NULLS LAST, q.general',
  TASKTITLE_ASC: 'lower(q.title), q.general',
  TASKTITLE_DESC: 'lower(q.title) DESC, q.general',
  PROJECT_ASC: 'lower(q.project_title) NULLS LAST, q.general',
  PROJECT_DESC: 'lower(q.project_title) DESC NULLS LAST, q.general',
};

/** Statuses a task may be created in: DRAFT, ACTIVE, DELAYED. */
const ADD_STATUSES: readonly number[] = [STATUS.DRAFT, STATUS.ACTIVE, STATUS.DELAYED];

interface TaskRow {
  id: string;
  general: number;
  title: string;
  description: string;
  importance: Importance;
  status: number;
  check_result: boolean;
  owner_number: number;
  owner_name: string;
  parent_id: string | null;
  project_id: string | null;
  project_title: string | null;
  client_id: string | null;
  client_name: string | null;
  begin_at: Date;
  start_date: string | null;
  start_time: string | null;
  end_date: string | null;
  end_time: string | null;
  duration: number | null;
  duration_unit: number | null;
  is_summary: boolean;
  starred: boolean;
  created_at: Date;
}

/** One task page costs this query (with its filters) and TASK_MEMBERS_SQL. Committed copy: libs/store/queries/. */
export const TASK_SELECT_SQL = `SELECT t.id, t.general, t.title, t.description, t.importance, t.status, t.check_result,
       u.number AS owner_number, u.username AS owner_name, t.parent_id,
       t.project_id, pr.title AS project_title,
       coalesce(cp.id, cc.contact_id) AS client_id, coalesce(cc.name, btrim(cp.name || ' ' || cp.last_name)) AS client_name,
       t.begin_at, to_char(t.start_date, 'YYYY-MM-DD') AS start_date, to_char(t.start_time, 'HH24:MI') AS start_time,
       to_char(t.end_date, 'YYYY-MM-DD') AS end_date, to_char(t.end_time, 'HH24:MI') AS end_time,
       t.duration, t.duration_unit, t.is_summary, t.starred, t.created_at
  FROM tasks t
  JOIN users u ON u.id = t.owner_user_id
  LEFT JOIN projects pr ON pr.id = t.project_id
  LEFT JOIN contacts cp ON cp.id = t.client_contact_id
  LEFT JOIN companies cc ON cc.id = t.client_company_id
`;

export const TASK_MEMBERS_SQL = `SELECT m.task_id, m.role, u.number, u.username
  FROM task_members m
  JOIN users u ON u.id = m.user_id
 WHERE m.task_id = ANY($1::bigint[])
 ORDER BY m.task_id, u.number
`;

function startAfterEnd(start: LocalMoment | null, end: LocalMoment | null): boolean {
  if (!start || !end) return false;
  return `${start.date} ${start.time ?? '00:00'}` > `${end.date} ${end.time ?? '23:59'}`;
}

/**
 * Tasks of an account: each with a per-account `general`, a status of the built-in set, people by role, and a
 * deadline in the account's time zone. A status change leaves a STATUSCHANGED action.
 */
@Injectable()
export class TasksService {
  constructor(
    private readonly store: StoreService,
    private readonly people: PeopleRepository,
    private readonly contacts: ContactsService,
    private readonly projects: ProjectsService,
    private readonly settings: SettingsRegistry,
  ) {}

  async list(p: Principal, filter: TaskFilter, page: Page): Promise<Paged<Task>> {
    if (filter.target === 'template' || filter.target === 'periodic') return { total: 0, items: [] };
    const tz = this.settings.of('timeZone', p);
    const params: unknown[] = [p.accountId];
    const where = ['t.account_id = $1'];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    const worksOn = (user: string) =>
      `EXISTS (SELECT 1 FROM task_members m WHERE m.task_id = t.id AND m.role = 'worker' AND m.user_id = ${user})`;
    if (filter.target === 'in') add(worksOn, p.userId);
    if (filter.target === 'out') add((n) => `t.owner_user_id = ${n}`, p.userId);
    if (filter.project) {
      if (!plausibleRef({ id: filter.project.id })) return { total: 0, items: [] };
      // the project of the account, looked up in the page query (another account's id names no project: no rows)
      const projectOf = (n: string) => `(SELECT pp.id FROM projects pp WHERE pp.account_id = $1 AND pp.id = ${n})`;
      if (filter.project.withSubprojects) {
        add(
          (n) =>
            `t.project_id IN (WITH RECURSIVE sub(id) AS (SELECT ${projectOf(n)} UNION SELECT c.id FROM projects c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub)`,
          filter.project.id,
        );
      } else {
        add((n) => `t.project_id = ${projectOf(n)}`, filter.project.id);
      }
    }
    if (filter.parentId !== undefined) {
      add(
        (n) =>
          `t.id IN (WITH RECURSIVE sub(id) AS (SELECT c.id FROM tasks c WHERE c.parent_id = ${n} UNION SELECT c.id FROM tasks c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub)`,
        filter.parentId,
      );
    }
    if (filter.status !== undefined) add((n) => `t.status = ${n}`, filter.status);
    if (filter.flags.includes('ACTIVE')) add((n) => `t.status = ANY(${n}::smallint[])`, ACTIVE_STATUS_IDS);
    if (filter.flags.includes('OVERDUE')) {
      add((n) => `t.status = ANY(${n}::smallint[])`, OVERDUE_STATUSES);
      add((n) => `t.end_date IS NOT NULL AND ${deadlineSql('t.end_date', 't.end_time', n)} < now()`, tz);
    }
    if (filter.flags.includes('MY')) add((n) => `(t.owner_user_id = ${n} OR ${worksOn(n)})`, p.userId);
    if (filter.userNumber !== undefined) {
      add(
        (n) =>
          `EXISTS (SELECT 1 FROM users x WHERE x.account_id = t.account_id AND x.number = ${n} AND (x.id = t.owner_user_id OR ${worksOn('x.id')}))`,
        filter.userNumber,
      );
    }
    const sql = `${TASK_SELECT_SQL} WHERE ${where.join(' AND ')}`;
    return paged(
      page,
      (limit, offset) =>
        // prepared: the filters and sorts make a bounded set of texts, and planning the joins cost as much as running them
        this.store.queryPrepared<TaskRow & { total_count: string }>(
          `SELECT q.*, count(*) OVER () AS total_count FROM (${sql}) q ORDER BY ${SORT[filter.sort]} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
          [...params, limit, offset],
        ),
      async () =>
        (await this.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks t WHERE ${where.join(' AND ')}`, params))[0].n,
      (rows) => this.withPeople(rows, tz),
    );
  }

  async get(p: Principal, ref: Ref): Promise<Task> {
    const row = await this.find(p.accountId, ref);
    if (!row) throw notFound('task');
    return (await this.withPeople([row], this.settings.of('timeZone', p)))[0];
  }

  async add(p: Principal, input: TaskInput): Promise<Task> {
    if (!input.title?.trim()) throw missing('title');
    const status = input.status ?? STATUS.ACTIVE;
    if (!ADD_STATUSES.includes(status)) throw notAllowed('status', 'a task starts as DRAFT, ACTIVE or DELAYED');
    if (startAfterEnd(input.start ?? null, input.end ?? null)) throw issue(ISSUE.startAfterEnd, 'startTime', 'is after the end');
    return this.store.transaction(async (tx) => {
      const fields = await this.resolveFields(p, input, tx);
      const [client, company] = clientColumns(fields.client ?? null);
      const [row] = await this.store.write('insert', () =>
        this.store.query<{ id: string }>(
          `INSERT INTO tasks (account_id, title, description, importance, status, check_result, owner_user_id, parent_id,
             project_id, client_contact_id, client_company_id, begin_at, start_date, start_time, end_date, end_time,
             duration, duration_unit, is_summary)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12, clock_timestamp()), $13, $14, $15, $16, $17, $18, $19)
           RETURNING id`,
          [
            p.accountId,
            input.title!.trim(),
            input.description ?? '',
            input.importance ?? 'AVERAGE',
            status,
            input.checkResult ?? false,
            fields.ownerId ?? p.userId,
            fields.parentId ?? null,
            fields.projectId ?? null,
            client,
            company,
            input.beginAt ?? null,
            input.start?.date ?? null,
            input.start?.time ?? null,
            input.end?.date ?? null,
            input.end?.time ?? null,
            input.duration ?? null,
            input.durationUnit ?? null,
            input.isSummary ?? false,
          ],
          tx,
        ),
      );
      await replaceMembers(this.store, { table: 'task_members', column: 'task_id' }, Number(row.id), fields.people, tx);
      const created = (await this.find(p.accountId, { id: Number(row.id) }, tx))!;
      return (await this.withPeople([created], this.settings.of('timeZone', p), tx))[0];
    });
  }

  async update(p: Principal, ref: Ref, input: TaskInput): Promise<Task> {
    return this.store.transaction(async (tx) => {
      const current = await this.find(p.accountId, ref, tx, true);
      if (!current) throw notFound('task');
      const id = Number(current.id);
      if (input.title !== undefined && !input.title.trim()) throw missing('title');
      if (input.status === STATUS.REJECTED) throw notAllowed('status', 'REJECTED cannot be set');
      const start =
        input.start !== undefined ? input.start : current.start_date ? { date: current.start_date, time: current.start_time } : null;
      const end = input.end !== undefined ? input.end : current.end_date ? { date: current.end_date, time: current.end_time } : null;
      if (startAfterEnd(start, end)) throw issue(ISSUE.startAfterEnd, 'startTime', 'is after the end');
      const fields = await this.resolveFields(p, input, tx, id);
      const [client, company] = fields.client === undefined ? [] : clientColumns(fields.client);
      await this.store.update(
        'tasks',
        { account_id: p.accountId, id },
        {
          title: input.title?.trim(),
          description: input.description,
          importance: input.importance,
          status: input.status,
          check_result: input.checkResult,
          owner_user_id: fields.ownerId,
          parent_id: fields.parentId,
          project_id: fields.projectId,
          client_contact_id: client,
          client_company_id: company,
          begin_at: input.beginAt,
          start_date: input.start === undefined ? undefined : (input.start?.date ?? null),
          start_time: input.start === undefined ? undefined : (input.start?.time ?? null),
          end_date: input.end === undefined ? undefined : (input.end?.date ?? null),
          end_time: input.end === undefined ? undefined : (input.end?.time ?? null),
          duration: input.duration,
          duration_unit: input.durationUnit,
          is_summary: input.isSummary,
        },
        tx,
      );
      await replaceMembers(this.store, { table: 'task_members', column: 'task_id' }, id, fields.people, tx);
      if (input.status !== undefined && input.status !== current.status)
        await this.recordStatusChange(p, id, current.status, input.status, tx);
      const updated = (await this.find(p.accountId, { id }, tx))!;
      return (await this.withPeople([updated], this.settings.of('timeZone', p), tx))[0];
    });
  }

  /** Sets the status (REJECTED refused; DELAYED needs the date it is delayed to); a change leaves an action. */
  async changeStatus(p: Principal, ref: Ref, status: number, delayedUntil: Date | undefined): Promise<Task> {
    if (status === STATUS.REJECTED) throw notAllowed('status', 'REJECTED cannot be set');
    if (status === STATUS.DELAYED && !delayedUntil) throw issue(ISSUE.dependentMissing, 'dateTime', 'is required for DELAYED');
    return this.store.transaction(async (tx) => {
      const current = await this.find(p.accountId, ref, tx, true);
      if (!current) throw notFound('task');
      const id = Number(current.id);
      await this.store.query(
        `UPDATE tasks SET status = $3, delayed_until = $4, updated_at = clock_timestamp() WHERE account_id = $1 AND id = $2`,
        [p.accountId, id, status, status === STATUS.DELAYED ? delayedUntil : null],
        tx,
      );
      if (status !== current.status) await this.recordStatusChange(p, id, current.status, status, tx);
      const updated = (await this.find(p.accountId, { id }, tx))!;
      return (await this.withPeople([updated], this.settings.of('timeZone', p), tx))[0];
    });
  }

  /** The task's id and status when it is one of the account's; `lock` (in a transaction) for a status change. */
  async locate(accountId: string, ref: Ref, tx?: Tx, lock = false): Promise<{ id: number; status: number } | undefined> {
    if (!plausibleRef(ref)) return undefined;
    const [column, value] = refColumn(ref);
    const [row] = await this.store.query<{ id: string; status: number }>(
      `SELECT id, status FROM tasks WHERE account_id = $1 AND ${column} = $2${lock ? ' FOR UPDATE' : ''}`,
      [accountId, value],
      tx,
    );
    return row ? { id: Number(row.id), status: Number(row.status) } : undefined;
  }

  /** A status change of a task, in the caller's transaction (no action: the caller records its own). */
  async setStatus(accountId: string, taskId: number, status: number, tx: Tx): Promise<void> {
    await this.store.query(
      `UPDATE tasks SET status = $3, updated_at = clock_timestamp() WHERE account_id = $1 AND id = $2`,
      [accountId, taskId, status],
      tx,
    );
  }

  private async recordStatusChange(p: Principal, taskId: number, from: number, to: number, tx: Tx): Promise<void> {
    await this.store.query(
      `INSERT INTO actions (account_id, task_id, type, old_status, new_status, owner_user_id) VALUES ($1, $2, 'STATUSCHANGED', $3, $4, $5)`,
      [p.accountId, taskId, from, to, p.userId],
      tx,
    );
  }

  private async find(accountId: string, ref: Ref, tx?: Tx, lock = false): Promise<TaskRow | undefined> {
    const row = await accountRow<TaskRow>(this.store, TASK_SELECT_SQL, 't', accountId, refKey(ref), tx, lock);
    return row ? { ...row, status: Number(row.status) } : undefined;
  }

  private async withPeople(rows: TaskRow[], tz: string, tx?: Tx): Promise<Task[]> {
    const members = await this.store.queryPrepared<{ task_id: string; role: TaskRole; number: number; username: string }>(
      TASK_MEMBERS_SQL,
      [rows.map((r) => r.id)],
      tx,
    );
    const byTask = new Map<string, Record<TaskRole, PersonRef[]>>();
    for (const m of members) {
      let roles = byTask.get(String(m.task_id));
      if (!roles) byTask.set(String(m.task_id), (roles = { worker: [], member: [], auditor: [] }));
      roles[m.role].push({ number: Number(m.number), username: m.username });
    }
    const now = Date.now();
    return rows.map((r) => {
      const roles = byTask.get(String(r.id)) ?? { worker: [], member: [], auditor: [] };
      const status = Number(r.status);
      const endMs = r.end_date ? deadlineAt(r.end_date, r.end_time, tz) : null;
      const startMs = r.start_date ? deadlineAt(r.start_date, r.start_time, tz) - (r.start_time ? 0 : 86_400_000) : r.created_at.getTime();
      const flags = deadlineFlags(startMs, endMs, now, OVERDUE_STATUSES.includes(status));
      return {
        id: Number(r.id),
        general: Number(r.general),
        title: r.title,
        description: r.description,
        importance: r.importance,
        status,
        checkResult: r.check_result,
        owner: { number: Number(r.owner_number), username: r.owner_name },
        parentId: r.parent_id === null ? null : Number(r.parent_id),
        project: r.project_id === null ? null : { id: Number(r.project_id), title: r.project_title ?? '' },
        client: r.client_id === null ? null : { id: Number(r.client_id), name: r.client_name ?? '' },
        beginAt: r.begin_at,
        start: r.start_date ? { date: r.start_date, time: r.start_time } : null,
        end: r.end_date ? { date: r.end_date, time: r.end_time } : null,
        duration: r.duration === null ? null : Number(r.duration),
        durationUnit: r.duration_unit === null ? null : Number(r.duration_unit),
        isSummary: r.is_summary,
        starred: r.starred,
        isOverdue: flags.overdue,
        isCloseToDeadline: flags.close,
        workers: roles.worker,
        members: roles.member,
        auditors: roles.auditor,
      };
    });
  }

  /** Users, project, client and parent named by the input, resolved in the account (each kind's not found otherwise). */
  private async resolveFields(p: Principal, input: TaskInput, tx: Tx, selfId?: number) {
    const ownerId = await this.people.owner(p, input.ownerNumber, tx);
    let projectId: number | null | undefined = input.projectId;
    if (projectId !== undefined && projectId !== null) {
      projectId = await this.projects.idOf(p.accountId, { id: projectId }, tx);
      if (projectId === undefined) throw notFound('task_project');
    }
    const client = await this.contacts.client(p.accountId, input.clientId, tx);
    const parentId = input.parentId;
    if (parentId !== undefined && parentId !== null) {
      if (!(await this.locate(p.accountId, { id: parentId }, tx))) throw notFound('task');
      await refuseParentLoop(this.store, 'tasks', selfId, parentId, tx);
    }
    const people = await this.people.byRole<TaskRole>(
      p.accountId,
      { worker: input.workers, member: input.members, auditor: input.auditors },
      tx,
    );
    return { ownerId, projectId, client, parentId, people };
  }
}
