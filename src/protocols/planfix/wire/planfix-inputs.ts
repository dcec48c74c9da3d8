import { DomainError } from '#errors';
import {
  findTaskStatus,
  hostNamePattern,
  issue,
  ISSUE,
  missing,
  PROJECT_STATUSES,
  type ActionInput,
  type ContactFilter,
  type ContactInput,
  type LocalMoment,
  type Phone,
  type ProjectFilter,
  type ProjectInput,
  type TaskFilter,
  type TaskInput,
  type TaskSort,
} from '#projects';
import { invalid, type XmlParams } from './xml-params.js';

/**
 * The wire side of each method's parameters (docs/planfix.md): typed, enumerations checked, admin-only inputs dropped
 * for other callers. Writes: an absent element keeps the value, an empty one clears it, a given list replaces.
 */

const TASK_SORTS: readonly TaskSort[] = [
  'NUMBER_ASC',
  'NUMBER_DESC',
  'IMPORTANCE_ASC',
  'IMPORTANCE_DESC',
  'DEADLINE_ASC',
  'DEADLINE_DESC',
  'TASKTITLE_ASC',
  'TASKTITLE_DESC',
  'PROJECT_ASC',
  'PROJECT_DESC',
];

/** `filters` (Planfix's saved filters) is not offered: non-empty → 0018. */
export function refuseFilters(params: XmlParams): void {
  const f = params.child('filters');
  if (f && !f.empty) throw issue(ISSUE.unsupported, f.path, 'is not supported');
}

/** A record element that must be there: `<task>`, `<project>`, ... (0009 when absent). */
export function requiredChild(params: XmlParams, name: string): XmlParams {
  const c = params.child(name);
  if (!c) throw missing(`${params.path}/${name}`);
  return c;
}

/** An id that may say "none": 0 → null, empty → undefined (keep). */
function optionalId(params: XmlParams, name: string): number | null | undefined {
  const id = params.idOf(name);
  return id === undefined ? undefined : id === 0 ? null : id;
}

/**
 * People of a role: `<workers><users><id>1</id></users><groups/></workers>` (tasks) or `<managers><id>1</id></managers>`
 * (projects); empty ids skipped; any user group named → 5001 (Plangate has none).
 */
function peopleIds(params: XmlParams, name: string): number[] | undefined {
  const role = params.child(name);
  if (!role) return undefined;
  for (const groups of role.children('groups')) {
    if (groups.children('id').some((g) => g.node.text !== '') || groups.children('group').length) throw DomainError.notFound('user_group');
  }
  const holders = [role, ...role.children('users'), ...role.children('users').flatMap((u) => u.children('user'))];
  return holders.flatMap((h) =>
    h.children('id').flatMap((c) => {
      if (c.node.children.length) throw invalid(c.path, 'must be an integer');
      if (c.node.text === '') return [];
      if (!/^-?\d{1,16}$/.test(c.node.text)) throw invalid(c.path, 'must be an integer');
      return [Number(c.node.text)];
    }),
  );
}

/** A status by id or system name: unknown → 0015. */
function taskStatus(params: XmlParams, name: string): number | undefined {
  const v = params.raw(name);
  if (v === undefined || v === '') return undefined;
  const s = findTaskStatus(v);
  if (!s) throw invalid(`${params.path}/${name}`, 'is not a status of the set');
  return s.id;
}

export function readTaskStatus(params: XmlParams, name: string): number | undefined {
  return taskStatus(params, name);
}

/** `<hostName>`, a Plangate extension (docs/planfix.md): letters, digits and hyphens only, unlike Planpoint's. */
const PLANFIX_HOST_NAME = hostNamePattern('a-z0-9-');

export function projectInput(p: XmlParams): ProjectInput {
  const hostName = p.raw('hostName');
  const endDate = p.date('endDate');
  return {
    title: p.text('title'),
    description: p.text('description', 10_000) ?? undefined,
    ownerNumber: p.idOf('owner'),
    clientId: optionalId(p, 'client'),
    status: p.oneOf('status', PROJECT_STATUSES),
    hidden: p.bool('hidden'),
    hasEndDate: p.bool('hasEndDate'),
    endDate: endDate === '' ? null : endDate,
    parentId: optionalId(p, 'parent'),
    managers: peopleIds(p, 'managers'),
    workers: peopleIds(p, 'workers'),
    auditors: peopleIds(p, 'auditors'),
    hostName: hostName ? { value: hostName, pattern: PLANFIX_HOST_NAME } : undefined,
  };
}

export function projectFilter(p: XmlParams, isAdmin: boolean): ProjectFilter {
  refuseFilters(p);
  return {
    target: p.oneOf('target', ['all', 'in', 'out', 'template'] as const) ?? 'all',
    status: p.oneOf('status', PROJECT_STATUSES),
    clientId: p.idOf('client'),
    userNumber: isAdmin ? p.idOf('user') : undefined,
    sort: p.oneOf('sortType', ['NUMBER_ASC', 'NUMBER_DESC', 'TITLE_ASC', 'TITLE_DESC'] as const) ?? 'NUMBER_ASC',
  };
}

/** `<xDateIsSet>`, `<xDate>`, `<xTimeIsSet>`, `<xTime>`: null clears, undefined keeps. */
function moment(p: XmlParams, which: 'start' | 'end'): LocalMoment | null | undefined {
  const dateSet = p.bool(`${which}DateIsSet`);
  const date = p.date(`${which}Date`);
  const timeSet = p.bool(`${which}TimeIsSet`);
  const time = p.time(`${which}Time`);
  if (dateSet === false) return null;
  if (dateSet === true && !date) throw issue(ISSUE.dependentMissing, `${p.path}/${which}Date`, 'is required when the date is set');
  if (timeSet === true && !time) throw issue(ISSUE.dependentMissing, `${p.path}/${which}Time`, 'is required when the time is set');
  if (!date) {
    if (time && timeSet !== false) throw issue(ISSUE.dependentMissing, `${p.path}/${which}Date`, 'is required with a time');
    return date === '' ? null : undefined;
  }
  return { date, time: timeSet === false ? null : time || null };
}

export function taskInput(p: XmlParams, isAdmin: boolean, timeZone: string): TaskInput {
  const durationSet = p.bool('durationIsSet');
  const duration = p.count('duration');
  const durationUnit = p.int('durationUnit');
  if (durationUnit !== undefined && ![0, 1, 2].includes(durationUnit)) throw invalid(`${p.path}/durationUnit`, 'must be 0, 1 or 2');
  const beginAt = p.dateTime('beginDateTime', timeZone);
  return {
    title: p.text('title'),
    description: p.text('description', 100_000),
    importance: p.oneOf('importance', ['AVERAGE', 'HIGH'] as const),
    status: taskStatus(p, 'status'),
    checkResult: p.bool('checkResult'),
    ownerNumber: p.idOf('owner'),
    parentId: optionalId(p, 'parent'),
    projectId: optionalId(p, 'project'),
    clientId: optionalId(p, 'client'),
    beginAt: isAdmin ? beginAt : undefined,
    start: moment(p, 'start'),
    end: moment(p, 'end'),
    duration: durationSet === false ? null : duration,
    durationUnit: durationSet === false ? null : durationUnit,
    isSummary: p.bool('isSummary'),
    workers: peopleIds(p, 'workers'),
    members: peopleIds(p, 'members'),
    auditors: peopleIds(p, 'auditors'),
  };
}

export function taskFilter(p: XmlParams, isAdmin: boolean): TaskFilter {
  refuseFilters(p);
  const project = p.child('project');
  const projectId = project?.int('id');
  const flags = (p.raw('filter') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((f) => {
      const flag = f.toUpperCase();
      if (flag !== 'ACTIVE' && flag !== 'OVERDUE' && flag !== 'MY') throw invalid(`${p.path}/filter`, 'must be ACTIVE, OVERDUE and/or MY');
      return flag;
    });
  return {
    target: p.oneOf('target', ['all', 'in', 'out', 'template', 'periodic'] as const) ?? 'all',
    project: projectId === undefined ? undefined : { id: projectId, withSubprojects: project!.bool('withSubprojects') ?? false },
    parentId: p.idOf('parent'),
    status: taskStatus(p, 'status'),
    flags,
    sort: p.oneOf('sort', TASK_SORTS) ?? 'NUMBER_ASC',
    userNumber: isAdmin ? p.idOf('user') : undefined,
  };
}

export function actionInput(p: XmlParams, isAdmin: boolean, timeZone: string): ActionInput {
  const subject = actionSubject(p);
  const notifiedList = p.child('notifiedList');
  const happenedAt = p.dateTime('dateTime', timeZone);
  const owner = p.idOf('owner');
  return {
    description: p.text('description', 100_000) ?? '',
    subject,
    taskNewStatus: taskStatus(p, 'taskNewStatus'),
    notified: notifiedList ? notifiedList.children('user').flatMap((u) => (u.int('id') === undefined ? [] : [u.int('id')!])) : undefined,
    isHidden: p.bool('isHidden'),
    ownerNumber: isAdmin && owner ? owner : undefined,
    happenedAt: isAdmin ? happenedAt : undefined,
  };
}

function contactGeneral(contact: XmlParams): number {
  const general = contact.int('general');
  if (general === undefined) throw missing(`${contact.path}/general`);
  return general;
}

/** What an action is about: a task or a contact (none 0009, both 0019). */
export function actionSubject(p: XmlParams): ActionInput['subject'] {
  const task = p.child('task');
  const contact = p.child('contact');
  const hasTask = !!task && !task.empty;
  const hasContact = !!contact && !contact.empty;
  if (hasTask && hasContact) throw issue(ISSUE.conflicting, p.path, 'names both a task and a contact');
  if (!hasTask && !hasContact) throw missing(`${p.path}/task`);
  return hasTask ? { task: task!.ref() } : { contact: { general: contactGeneral(contact!) } };
}

export function contactInput(p: XmlParams): ContactInput {
  const phones = p.child('phones');
  const sex = p.raw('sex');
  const birthdate = p.date('birthdate');
  return {
    name: p.text('name'),
    midName: p.text('midName'),
    lastName: p.text('lastName'),
    isCompany: p.bool('isCompany'),
    post: p.text('post'),
    email: p.text('email', 254),
    phones: phones ? phones.children('phone').map(phone) : undefined,
    address: p.text('address', 1000),
    description: p.text('description', 100_000),
    sex: sex === '' ? null : p.oneOf('sex', ['MALE', 'FEMALE'] as const),
    site: p.text('site'),
    skype: p.text('skype'),
    facebook: p.text('facebook'),
    vk: p.text('vk'),
    icq: p.text('icq'),
    birthdate: birthdate === '' ? null : birthdate,
  };
}

function phone(p: XmlParams): Phone {
  const number = p.text('number', 64) ?? '';
  if (!number) throw missing(`${p.path}/number`);
  return { number, typeId: p.int('typeId') ?? null, typeName: p.text('typeName', 64) ?? '' };
}

export function contactFilter(p: XmlParams): ContactFilter {
  refuseFilters(p);
  return { target: p.oneOf('target', ['contact', 'company', 'template'] as const) ?? 'contact', search: p.text('search') || undefined };
}
