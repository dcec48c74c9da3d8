import { Injectable } from '@nestjs/common';
import { type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { ContactsService } from './contacts.service.js';
import { missing, notAllowed, notFound } from './issues.js';
import { paged, type Page, type Paged } from './paging.js';
import { PeopleRepository, type PersonRef } from './people.repository.js';
import { type Ref } from './refs.js';
import { STATUS } from './task-statuses.js';
import { TasksService } from './tasks.service.js';

export interface Action {
  id: number;
  description: string;
  type: 'ACTION' | 'STATUSCHANGED';
  statusChange: { oldStatus: number; newStatus: number } | null;
  isHidden: boolean;
  happenedAt: Date;
  task: { id: number; title: string } | null;
  project: { id: number; title: string } | null;
  contact: { general: number; name: string } | null;
  owner: PersonRef;
  notified: PersonRef[];
}

/** What an action is about: a task, or a contact (person or company) by its general. */
export type ActionSubject = { task: Ref } | { contact: Ref };

export interface ActionInput {
  description: string;
  subject: ActionSubject;
  taskNewStatus?: number;
  notified?: number[];
  isHidden?: boolean;
  /** Admin callers only. */
  ownerNumber?: number;
  /** Admin callers only. */
  happenedAt?: Date;
}

interface ActionRow {
  id: string;
  description: string;
  type: 'ACTION' | 'STATUSCHANGED';
  old_status: number | null;
  new_status: number | null;
  is_hidden: boolean;
  happened_at: Date;
  task_id: string | null;
  task_title: string | null;
  project_id: string | null;
  project_title: string | null;
  contact_general: number | null;
  contact_name: string | null;
  owner_number: number;
  owner_name: string;
}

const SELECT = `SELECT a.id, a.description, a.type, a.old_status, a.new_status, a.is_hidden, a.happened_at,
       t.id AS task_id, t.title AS task_title, pr.id AS project_id, pr.title AS project_title,
       coalesce(cp.general, cc.general) AS contact_general, coalesce(cc.name, btrim(cp.name || ' ' || cp.last_name)) AS contact_name,
       u.number AS owner_number, u.username AS owner_name
  FROM actions a
  JOIN users u ON u.id = a.owner_user_id
  LEFT JOIN tasks t ON t.id = a.task_id
  LEFT JOIN projects pr ON pr.id = t.project_id
  LEFT JOIN contacts cp ON cp.id = a.contact_id
  LEFT JOIN companies cc ON cc.id = a.company_id`;

/** Actions (comments) on a task or a contact; a task's status changes are actions too. */
@Injectable()
export class ActionsService {
  constructor(
    private readonly store: StoreService,
    private readonly people: PeopleRepository,
    private readonly contacts: ContactsService,
    private readonly tasks: TasksService,
  ) {}

  /** The subject's actions by date and id, newest first unless `asc`; an unknown subject is task or contact not found. */
  async list(p: Principal, subject: ActionSubject, order: 'asc' | 'desc', page: Page): Promise<Paged<Action>> {
    const [column, value] = await this.subjectColumn(p.accountId, subject);
    const where = `a.account_id = $1 AND a.${column} = $2`;
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    return paged(
      page,
      (limit, offset) =>
        this.store.query<ActionRow & { total_count: string }>(
          `${SELECT.replace('SELECT a.id,', 'SELECT count(*) OVER () AS total_count, a.id,')} WHERE ${where}
            ORDER BY a.happened_at ${dir}, a.id ${dir} LIMIT $3 OFFSET $4`,
          [p.accountId, value, limit, offset],
        ),
      async () =>
        (await this.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM actions a WHERE ${where}`, [p.accountId, value]))[0].n,
      (rows) => this.withNotified(rows),
    );
  }

  async get(p: Principal, id: number): Promise<Action> {
    const row = await this.find(p.accountId, id);
    if (!row) throw notFound('action');
    return (await this.withNotified([row]))[0];
  }

  async add(p: Principal, input: ActionInput): Promise<Action> {
    if (!input.description.trim() && input.taskNewStatus === undefined) throw missing('description');
    if (input.taskNewStatus === STATUS.REJECTED) throw notAllowed('taskNewStatus', 'REJECTED cannot be set');
    return this.store.transaction(async (tx) => {
      let task: { id: number; status: number } | undefined;
      let contactColumn: 'contact_id' | 'company_id' | undefined;
      let contactId: number | string | undefined;
      if ('task' in input.subject) {
        task = await this.tasks.locate(p.accountId, input.subject.task, tx, true);
        if (!task) throw notFound('task');
      } else {
        if (input.taskNewStatus !== undefined) throw notAllowed('taskNewStatus', 'only for a task');
        const target = await this.contacts.target(p.accountId, input.subject.contact, tx);
        contactColumn = target.kind === 'person' ? 'contact_id' : 'company_id';
        contactId = target.id;
      }
      const ownerId = input.ownerNumber ? (await this.people.resolve(p.accountId, [input.ownerNumber], tx))[0].id : p.userId;
      const notified = await this.people.resolve(p.accountId, input.notified ?? [], tx);
      const change =
        task && input.taskNewStatus !== undefined && input.taskNewStatus !== task.status
          ? { from: task.status, to: input.taskNewStatus }
          : undefined;
      if (task && change) await this.tasks.setStatus(p.accountId, task.id, change.to, tx);
      const [row] = await this.store.write('insert', () =>
        this.store.query<{ id: string }>(
          `INSERT INTO actions (account_id, task_id, contact_id, company_id, description, old_status, new_status, owner_user_id,
             is_hidden, happened_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10, clock_timestamp())) RETURNING id`,
          [
            p.accountId,
            task?.id ?? null,
            contactColumn === 'contact_id' ? contactId : null,
            contactColumn === 'company_id' ? contactId : null,
            input.description,
            change?.from ?? null,
            change?.to ?? null,
            ownerId,
            input.isHidden ?? false,
            input.happenedAt ?? null,
          ],
          tx,
        ),
      );
      if (notified.length) {
        await this.store.query(
          `INSERT INTO action_notified (action_id, user_id) SELECT $1, unnest($2::uuid[])`,
          [row.id, notified.map((n) => n.id)],
          tx,
        );
      }
      return (await this.withNotified([(await this.find(p.accountId, Number(row.id), tx))!], tx))[0];
    });
  }

  private async subjectColumn(accountId: string, subject: ActionSubject): Promise<[string, number | string]> {
    if ('task' in subject) {
      const task = await this.tasks.locate(accountId, subject.task);
      if (!task) throw notFound('task');
      return ['task_id', task.id];
    }
    const target = await this.contacts.target(accountId, subject.contact);
    return target.kind === 'person' ? ['contact_id', target.id] : ['company_id', target.id];
  }

  private async find(accountId: string, id: number, tx?: Tx): Promise<ActionRow | undefined> {
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    const [row] = await this.store.query<ActionRow>(`${SELECT} WHERE a.account_id = $1 AND a.id = $2`, [accountId, id], tx);
    return row;
  }

  private async withNotified(rows: ActionRow[], tx?: Tx): Promise<Action[]> {
    const notified = await this.store.query<{ action_id: string; number: number; username: string }>(
      `SELECT n.action_id, u.number, u.username FROM action_notified n JOIN users u ON u.id = n.user_id
        WHERE n.action_id = ANY($1::bigint[]) ORDER BY u.number`,
      [rows.map((r) => r.id)],
      tx,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      description: r.description,
      type: r.type,
      statusChange:
        r.old_status === null || r.new_status === null ? null : { oldStatus: Number(r.old_status), newStatus: Number(r.new_status) },
      isHidden: r.is_hidden,
      happenedAt: r.happened_at,
      task: r.task_id === null ? null : { id: Number(r.task_id), title: r.task_title ?? '' },
      project: r.project_id === null ? null : { id: Number(r.project_id), title: r.project_title ?? '' },
      contact: r.contact_general === null ? null : { general: Number(r.contact_general), name: r.contact_name ?? '' },
      owner: { number: Number(r.owner_number), username: r.owner_name },
      notified: notified
        .filter((n) => String(n.action_id) === String(r.id))
        .map((n) => ({ number: Number(n.number), username: n.username })),
    }));
  }
}
