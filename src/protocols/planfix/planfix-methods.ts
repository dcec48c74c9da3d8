import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { IdentityService, type Principal } from '#identity';
import { type LimitPolicy } from '#limits';
import {
  ActionsService,
  ContactsService,
  missing,
  PeopleRepository,
  ProjectsService,
  STATUS_SET,
  TASK_STATUSES,
  TasksService,
  type PeopleSort,
} from '#projects';
import { Admission, type Lockout } from '../../pipeline/admission.js';
import { type PlanfixCall, type PlanfixMethod } from './wire/planfix-call.js';
import {
  actionInput,
  actionSubject,
  contactFilter,
  contactInput,
  projectFilter,
  projectInput,
  readTaskStatus,
  requiredChild,
  taskFilter,
  taskInput,
} from './wire/planfix-inputs.js';
import { actionElement, contactElement, projectElement, taskElement, taskStatusElement, userElement } from './wire/planfix.serializers.js';
import { readPage, type XmlParams } from './wire/xml-params.js';
import { el, leaf, list, type XmlOut } from './wire/xml-response.js';
import { XmlSessionsService } from './xml-sessions.service.js';
import { PLANFIX_SETTINGS } from './planfix-settings.js';

/** Plangate choice (docs/planfix.md): 10 wrong passwords for one user in 15 minutes → 0007 without hashing. */
const LOGIN_FAILURES: LimitPolicy = {
  name: 'planfix-login',
  windows: [{ kind: 'sliding', name: 'planfix-login', limit: 10, seconds: 900 }],
  // in the store, so that every instance can read a lock made on another before it hashes a password
  durable: true,
};

const PEOPLE_SORTS = [
  'NAME_ASC',
  'NAME_DESC',
  'ROLE_ASC',
  'ROLE_DESC',
  'ISACTIVE_ASC',
  'ISACTIVE_DESC',
  'GROUP_ASC',
  'GROUP_DESC',
  'PROJECTS_ASC',
  'PROJECTS_DESC',
] as const;

type Handler = (call: PlanfixCall) => Promise<XmlOut[]>;

const timeZoneOf = (p: Principal) => PLANFIX_SETTINGS.of(p).timezone;
const isAdmin = (p: Principal) => p.role === 'admin';

/**
 * One handler per method of docs/planfix.md: read the parameters, call the shared service, answer the elements that
 * go inside `<response status="ok">`.
 */
@Injectable()
export class PlanfixMethods {
  /** auth.login per user of an account: the 10th failure locks it before the 11th is checked. */
  private readonly loginFailures: Lockout;
  private readonly handlers: Record<PlanfixMethod, Handler>;

  constructor(
    private readonly identity: IdentityService,
    private readonly sessions: XmlSessionsService,
    admission: Admission,
    private readonly projects: ProjectsService,
    private readonly tasks: TasksService,
    private readonly actions: ActionsService,
    private readonly contacts: ContactsService,
    private readonly people: PeopleRepository,
  ) {
    this.loginFailures = admission.lockout('planfix', LOGIN_FAILURES, { lockWhenFull: true });
    this.handlers = {
      'auth.login': (c) => this.login(c),
      'project.getList': async ({ principal: p, params }) => {
        const page = await this.projects.list(p, projectFilter(params, isAdmin(p)), readPage(params));
        return [
          list(
            'projects',
            page.total,
            page.items.map((x) => projectElement(x, timeZoneOf(p))),
          ),
        ];
      },
      'project.get': async ({ principal: p, params }) => [
        projectElement(await this.projects.get(p, requiredChild(params, 'project').ref()), timeZoneOf(p)),
      ],
      'project.add': async ({ principal: p, params }) => {
        const created = await this.projects.add(p, projectInput(requiredChild(params, 'project')));
        return [el('project', leaf('id', created.id))];
      },
      'project.update': async ({ principal: p, params }) => {
        const project = requiredChild(params, 'project');
        const updated = await this.projects.update(p, project.ref(), projectInput(project));
        return [el('project', leaf('id', updated.id))];
      },
      'task.getList': async ({ principal: p, params }) => {
        const page = await this.tasks.list(p, taskFilter(params, isAdmin(p)), readPage(params));
        return [
          list(
            'tasks',
            page.total,
            page.items.map((t) => taskElement(t, timeZoneOf(p), false)),
          ),
        ];
      },
      'task.get': async ({ principal: p, params }) => [
        taskElement(await this.tasks.get(p, requiredChild(params, 'task').ref()), timeZoneOf(p), true),
      ],
      'task.add': async ({ principal: p, params }) => {
        const created = await this.tasks.add(p, taskInput(requiredChild(params, 'task'), isAdmin(p), timeZoneOf(p)));
        return [el('task', leaf('id', created.id), leaf('general', created.general))];
      },
      'task.update': async ({ principal: p, params }) => {
        const task = requiredChild(params, 'task');
        const updated = await this.tasks.update(p, task.ref(), taskInput(task, isAdmin(p), timeZoneOf(p)));
        return [el('task', leaf('id', updated.id))];
      },
      'task.changeStatus': async ({ principal: p, params }) => {
        const ref = requiredChild(params, 'task').ref();
        const status = readTaskStatus(params, 'status');
        if (status === undefined) throw missing('request/status');
        const changed = await this.tasks.changeStatus(p, ref, status, params.dateTime('dateTime', timeZoneOf(p)));
        return [el('task', leaf('id', changed.id))];
      },
      'taskStatus.getSetList': async () => [
        list('taskStatusSets', 1, [el('taskStatusSet', leaf('id', STATUS_SET.id), leaf('name', STATUS_SET.name))]),
      ],
      'taskStatus.getListOfSet': async ({ params }) => {
        const setId = requiredChild(params, 'taskStatusSet').int('id');
        if (setId === undefined) throw missing('request/taskStatusSet/id');
        const statuses = setId === STATUS_SET.id ? TASK_STATUSES : [];
        return [list('taskStatuses', statuses.length, statuses.map(taskStatusElement))];
      },
      'action.getList': async ({ principal: p, params }) => {
        const order = params.oneOf('sort', ['asc', 'desc'] as const) ?? 'desc';
        const page = await this.actions.list(p, actionSubject(params), order, readPage(params));
        return [
          list(
            'actions',
            page.total,
            page.items.map((a) => actionElement(a, timeZoneOf(p))),
          ),
        ];
      },
      'action.get': async ({ principal: p, params }) => {
        const id = requiredChild(params, 'action').int('id');
        if (id === undefined) throw missing('request/action/id');
        return [actionElement(await this.actions.get(p, id), timeZoneOf(p))];
      },
      'action.add': async ({ principal: p, params }) => {
        const added = await this.actions.add(p, actionInput(requiredChild(params, 'action'), isAdmin(p), timeZoneOf(p)));
        return [el('action', leaf('id', added.id))];
      },
      'contact.getList': async ({ principal: p, params }) => {
        const page = await this.contacts.list(p, contactFilter(params), readPage(params));
        return [list('contacts', page.total, page.items.map(contactElement))];
      },
      'contact.get': async ({ principal: p, params }) => [
        contactElement(await this.contacts.get(p, requiredChild(params, 'contact').ref())),
      ],
      'contact.add': async ({ principal: p, params }) => {
        const added = await this.contacts.add(p, contactInput(requiredChild(params, 'contact')));
        return [el('contact', leaf('id', added.id), leaf('userid', 0), leaf('general', added.general)), leaf('actionid', 0)];
      },
      'contact.update': async ({ principal: p, params }) => {
        const contact = requiredChild(params, 'contact');
        const updated = await this.contacts.update(p, contact.ref(), contactInput(contact));
        return [el('contact', leaf('id', updated.id), leaf('general', updated.general)), leaf('actionid', 0)];
      },
      'user.getList': async ({ principal: p, params }) => {
        const status = params.oneOf('status', ['ACTIVE', 'UNACTIVE'] as const) ?? 'ACTIVE';
        const sort = params.oneOf('sortType', PEOPLE_SORTS) ?? 'NAME_ASC';
        const page = await this.people.list(p.accountId, { active: status === 'ACTIVE', sort: peopleSort(sort) }, readPage(params));
        return [
          list(
            'users',
            page.total,
            page.items.map((u) => userElement(u, timeZoneOf(p))),
          ),
        ];
      },
      'user.get': async ({ principal: p, params }) => {
        const user = params.child('user');
        const named = user && (user.int('general') !== undefined || user.int('id') !== undefined);
        const found = named ? await this.people.get(p.accountId, user.ref()) : await this.people.self(p);
        return [userElement(found, timeZoneOf(p))];
      },
    };
  }

  run(call: PlanfixCall): Promise<XmlOut[]> {
    return this.handlers[call.method](call);
  }

  /**
   * auth.login: a user of this account by username (exact) or e-mail (any case) and Plangate password; a session of
   * one hour for the Basic key. Any mismatch is 1001; 10 of them for one user in 15 minutes lock it (0007).
   */
  private async login({ principal: keyOwner, params, basicKeyId }: PlanfixCall): Promise<XmlOut[]> {
    const login = requiredText(params, 'login');
    const password = requiredText(params, 'password');
    // Per user, however the login spells them (username, e-mail, case, spaces): one bucket of 10. Within the Basic
    // key's account, where alone the user can log in: another account's key cannot lock this account's users.
    const lockKey = `login:${keyOwner.accountId}:${await this.identity.loginSubject(login)}`;
    if ((await this.loginFailures.lockedUntil(lockKey)) !== undefined) throw loginLocked();
    let user: Principal | undefined;
    try {
      user = await this.identity.authenticatePassword(login, password);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'UNAUTHENTICATED') throw e;
    }
    const matches =
      user && user.accountId === keyOwner.accountId && (user.username === login || user.email.toLowerCase() === login.toLowerCase());
    if (!user || !matches) {
      if ((await this.loginFailures.failed(lockKey)).refused) throw loginLocked();
      throw new DomainError('UNAUTHENTICATED', 'wrong login or password', { reason: 'wrong_password' });
    }
    this.loginFailures.cleared(lockKey);
    const { sid } = await this.sessions.open(user, basicKeyId);
    return [leaf('sid', sid)];
  }
}

function requiredText(params: XmlParams, name: string): string {
  const v = params.raw(name);
  if (v === undefined) throw missing(`request/${name}`);
  return v;
}

function loginLocked(): DomainError {
  return new DomainError('RATE_LIMITED', 'too many failed attempts', { reason: 'login_lockout' });
}

/** GROUP_* and PROJECTS_* sort by name: Plangate users have no groups, and projects are not a user property. */
function peopleSort(sort: (typeof PEOPLE_SORTS)[number]): PeopleSort {
  if (sort.startsWith('GROUP_') || sort.startsWith('PROJECTS_')) return sort.endsWith('_DESC') ? 'NAME_DESC' : 'NAME_ASC';
  return sort as PeopleSort;
}
