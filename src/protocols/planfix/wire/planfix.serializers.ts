import {
  type Action,
  type Contact,
  type Person,
  type PersonRef,
  type Project,
  type ProjectWithPeople,
  type Task,
  type TaskStatus,
} from '#projects';
import { planfixDate, planfixDateTime, planfixDay, planfixMoment } from './planfix-dates.js';
import { el, leaf, type XmlOut } from './xml-response.js';

/** Element names, order and enumerations of docs/planfix.md; empty values as `<x/>`; ids 0 for "none". */

const idName = (name: string, id: number, text: string) => el(name, leaf('id', id), leaf('name', text));
const person = (name: string, p: PersonRef) => idName(name, p.number, p.username);

/** `<workers><users><user>…</user></users><groups/></workers>` and its twins. */
function people(name: string, list: PersonRef[]): XmlOut {
  return el(name, el('users', ...list.map((p) => person('user', p))), el('groups'));
}

export function projectElement(p: Project | ProjectWithPeople, timeZone: string): XmlOut {
  const children = [
    leaf('id', p.id),
    leaf('general', p.general),
    leaf('title', p.title),
    leaf('description', p.description),
    person('owner', p.owner),
    idName('client', p.client?.id ?? 0, p.client?.name ?? ''),
    idName('group', 0, ''),
    el('parent', leaf('id', p.parentId ?? 0)),
    el('template', leaf('id', 0)),
    leaf('status', p.status),
    leaf('hidden', p.hidden),
    leaf('hasEndDate', p.hasEndDate),
    leaf('endDate', planfixDate(p.endDate)),
    leaf('beginDate', planfixDay(p.createdAt, timeZone)),
    leaf('taskCount', p.taskCount),
    leaf('isOverdued', p.isOverdue),
    leaf('isCloseToDeadline', p.isCloseToDeadline),
    el('customData'),
  ];
  if ('workers' in p) children.push(people('workers', p.workers), people('members', p.managers), people('auditors', p.auditors));
  return el('project', ...children);
}

export function taskElement(t: Task, timeZone: string, full: boolean): XmlOut {
  return el(
    'task',
    leaf('id', t.id),
    leaf('title', t.title),
    leaf('description', t.description),
    leaf('importance', t.importance),
    leaf('status', t.status),
    leaf('statusSet', 1),
    leaf('checkResult', t.checkResult),
    leaf('type', 'task'),
    person('owner', t.owner),
    el('parent', leaf('id', t.parentId ?? 0)),
    el('template', leaf('id', 0)),
    el('project', leaf('id', t.project?.id ?? 0), leaf('title', t.project?.title ?? '')),
    idName('client', t.client?.id ?? 0, t.client?.name ?? ''),
    leaf('beginDateTime', planfixDateTime(t.beginAt, timeZone)),
    leaf('startTime', planfixMoment(t.start)),
    leaf('endTime', planfixMoment(t.end)),
    leaf('duration', t.duration),
    leaf('durationUnit', t.durationUnit),
    leaf('general', t.general),
    leaf('isOverdued', t.isOverdue),
    leaf('isCloseToDeadline', t.isCloseToDeadline),
    leaf('isNotAcceptedInTime', false),
    leaf('isSummary', t.isSummary),
    leaf('starred', t.starred),
    people('workers', t.workers),
    ...(full ? [people('members', t.members), people('auditors', t.auditors)] : []),
    el('customData'),
  );
}

export function actionElement(a: Action, timeZone: string): XmlOut {
  const subject = a.contact
    ? [el('contact', leaf('general', a.contact.general), leaf('name', a.contact.name)), person('owner', a.owner)]
    : [
        el('task', leaf('id', a.task?.id ?? 0), leaf('title', a.task?.title ?? '')),
        person('owner', a.owner),
        el('project', leaf('id', a.project?.id ?? 0), leaf('title', a.project?.title ?? '')),
      ];
  return el(
    'action',
    leaf('id', a.id),
    leaf('description', a.description),
    leaf('type', a.type),
    ...(a.statusChange
      ? [el('statusChange', leaf('oldStatus', a.statusChange.oldStatus), leaf('newStatus', a.statusChange.newStatus))]
      : []),
    leaf('isNotRead', false),
    leaf('fromEmail', false),
    leaf('dateTime', planfixDateTime(a.happenedAt, timeZone)),
    ...subject,
    el('notifiedList', ...a.notified.map((n) => person('user', n))),
  );
}

export function contactElement(c: Contact): XmlOut {
  return el(
    'contact',
    leaf('id', c.id),
    leaf('userid', 0),
    leaf('general', c.general),
    el('template', leaf('id', 0)),
    leaf('name', c.name),
    leaf('midName', c.midName),
    leaf('lastName', c.lastName),
    leaf('isCompany', c.isCompany),
    leaf('post', c.post),
    leaf('email', c.email),
    el('phones', ...c.phones.map((p) => el('phone', leaf('number', p.number), leaf('typeId', p.typeId), leaf('typeName', p.typeName)))),
    leaf('address', c.address),
    leaf('description', c.description),
    leaf('sex', c.sex),
    leaf('site', c.site),
    leaf('skype', c.skype),
    leaf('facebook', c.facebook),
    leaf('vk', c.vk),
    leaf('icq', c.icq),
    leaf('birthdate', planfixDate(c.birthdate)),
    leaf('havePlanfixAccess', false),
    el('contractors'),
    el('customData'),
  );
}

export function userElement(u: Person, timeZone: string): XmlOut {
  return el(
    'user',
    leaf('id', u.number),
    leaf('general', u.general),
    leaf('name', u.username),
    leaf('lastName', ''),
    leaf('midName', ''),
    leaf('login', u.username),
    leaf('email', u.email),
    el('secondaryEmails'),
    leaf('role', u.role === 'admin' ? 'ADMIN' : 'USER'),
    leaf('status', u.active ? 'ACTIVE' : 'UNACTIVE'),
    leaf('isActivated', u.active),
    leaf('birthdate', ''),
    leaf('sex', ''),
    el('phones'),
    leaf('isInvisibleOutOfGroup', false),
    leaf('isBlindOutOfGroup', false),
    leaf('userPic', ''),
    leaf('isOnline', false),
    leaf('timezone', timeZone),
    el('post', leaf('id', 0), leaf('name', u.role)),
    el('userGroups'),
  );
}

export function taskStatusElement(s: TaskStatus): XmlOut {
  return el(
    'taskStatus',
    leaf('id', s.id),
    leaf('name', s.name),
    leaf('color', s.color),
    leaf('isActive', s.isActive),
    leaf('hasDeadline', s.hasDeadline),
    el('texts', el('text', leaf('lang', 'En'), leaf('name', s.name))),
  );
}
