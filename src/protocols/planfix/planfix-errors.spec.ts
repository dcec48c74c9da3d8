import { type Request } from 'express';
import { DomainError, type DomainErrorCode, type Entity, type UnauthenticatedReason } from '#errors';
import { ISSUE } from '#projects';
import { PLANFIX_ERRORS, planfixCode } from './planfix-errors.js';

describe('Planfix errors', () => {
  const codes: [DomainErrorCode, string][] = [
    ['MALFORMED', '0003'],
    ['INVALID', '0015'],
    ['NOT_FOUND', '0011'],
    ['CONFLICT', '0016'],
    ['UNAUTHENTICATED', '0001'],
    ['FORBIDDEN', '0016'],
    ['RATE_LIMITED', '0007'],
    ['PAYLOAD_TOO_LARGE', '0003'],
    ['METHOD_NOT_ALLOWED', '0003'],
    ['UNSUPPORTED_MEDIA_TYPE', '0003'],
    ['UNAVAILABLE', '0011'],
  ];

  it.each(codes)('%s → %s when nothing finer is known', (code, planfix) => {
    expect(planfixCode(new DomainError(code, 'message')).code).toBe(planfix);
  });

  it.each<[Entity, string]>([
    ['account', '0004'],
    ['route', '0008'],
    ['project', '2001'],
    ['task', '3001'],
    ['task_project', '3003'],
    ['action', '4002'],
    ['user_group', '5001'],
    ['user', '6004'],
    ['contact', '8002'],
  ])('a missing %s is %s', (entity, code) => {
    expect(planfixCode(DomainError.notFound(entity)).code).toBe(code);
  });

  it.each([
    [ISSUE.missing, '0009'],
    [ISSUE.invalid, '0015'],
    [ISSUE.notAllowed, '0016'],
    [ISSUE.dependentMissing, '0017'],
    [ISSUE.unsupported, '0018'],
    [ISSUE.conflicting, '0019'],
    [ISSUE.tooMany, '0021'],
    [ISSUE.startAfterEnd, '3006'],
    [ISSUE.email, '8010'],
  ])('an input issue %s is %s', (type, code) => {
    expect(planfixCode(DomainError.invalid([{ field: 'x', issue: 'y', type }])).code).toBe(code);
  });

  it('names credentials, plan, limits and conflicts', () => {
    const unauth = (reason: UnauthenticatedReason) => planfixCode(new DomainError('UNAUTHENTICATED', 'm', { reason })).code;
    expect([
      unauth('invalid_credential'),
      unauth('invalid_session'),
      unauth('no_user_credential'),
      unauth('wrong_password'),
      unauth('invalid_signature'),
    ]).toEqual(['0001', '0005', '0012', '1001', '0006']);
    expect(planfixCode(new DomainError('FORBIDDEN', 'm', { reason: 'plan_without_api' })).code).toBe('0022');
    expect(planfixCode(DomainError.conflict('company', 'name', 'taken')).code).toBe('8003');
    expect(planfixCode(DomainError.conflict('project', 'slug', 'taken')).code).toBe('0016');
    expect(planfixCode(new DomainError('RATE_LIMITED', 'm', { reason: 'daily_quota' })).message).toBe('daily request limit exceeded');
    expect(planfixCode(new DomainError('RATE_LIMITED', 'm', { reason: 'too_many_requests' })).message).toBe('request rate exceeded');
    expect(planfixCode(new DomainError('PAYLOAD_TOO_LARGE', 'm')).message).toBe('request body too large');
  });

  it('never echoes the domain message (it may name a record)', () => {
    expect(planfixCode(DomainError.notFound('project', "project 'Secret Tower' of account other")).message).toBe('project not found');
  });

  it('renders the envelope with HTTP 200, XML content type and the remaining quota', () => {
    const req = { planfix: { remaining: 41 } } as unknown as Request;
    const wire = PLANFIX_ERRORS.render(DomainError.notFound('task'), req);
    expect(wire).toMatchObject({ status: 200, headers: { 'X-RateLimit-Remaining': '41' }, contentType: 'application/xml; charset=utf-8' });
    expect(wire.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<response status="error"><code>3001</code><message>task not found</message></response>',
    );
    expect(PLANFIX_ERRORS.internal({} as Request)).toMatchObject({ status: 200, headers: { 'X-RateLimit-Remaining': '0' } });
  });
});
