import { type Request } from 'express';
import { DomainError, type DomainErrorCode } from '#errors';
import { projectInUse } from '#projects';
import { PLANPOINT_ERRORS, toPlanpointError } from './planpoint-errors.js';

const req = (path = '/api/projects') => ({ path }) as Request;

describe('Planpoint errors', () => {
  const table: [DomainErrorCode, number, string][] = [
    ['MALFORMED', 400, 'Invalid JSON body'],
    ['INVALID', 400, 'message'],
    ['NOT_FOUND', 404, 'message'],
    ['CONFLICT', 409, 'message'],
    ['UNAUTHENTICATED', 401, 'Invalid or expired token'],
    ['FORBIDDEN', 403, 'message'],
    ['RATE_LIMITED', 429, 'Too many requests, retry later'],
    ['PAYLOAD_TOO_LARGE', 413, 'Request body too large'],
    ['METHOD_NOT_ALLOWED', 405, 'Method not allowed'],
    ['UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported media type'],
    ['UNAVAILABLE', 503, 'Service temporarily unavailable'],
  ];

  it.each(table)('%s → %i {message: %s}, as JSON', (code, status, message) => {
    const wire = toPlanpointError(new DomainError(code, 'message'), req());
    expect(wire).toMatchObject({ status, body: { message }, contentType: 'application/json; charset=utf-8' });
    expect(Object.keys(wire.body as object)).toEqual(['message']);
  });

  it('says which credential problem it was, with the Bearer challenge', () => {
    expect(toPlanpointError(new DomainError('UNAUTHENTICATED', 'x', { reason: 'missing_credential' }), req())).toMatchObject({
      body: { message: 'Missing access token' },
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
    expect(toPlanpointError(new DomainError('UNAUTHENTICATED', 'x'), req()).headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token"',
    );
    expect(toPlanpointError(new DomainError('UNAUTHENTICATED', 'x', { reason: 'wrong_password' }), req()).body).toEqual({
      message: 'Invalid username or password',
    });
  });

  it('adds paused to the paused 403', () => {
    const e = new DomainError('FORBIDDEN', 'Project is paused', {
      reason: 'project_paused',
      fields: [{ field: 'paused', issue: 'billing' }],
    });
    expect(toPlanpointError(e, req()).body).toEqual({ message: 'Project is paused', paused: { value: true, reason: 'billing' } });
  });

  it("says what keeps a project in its own words (the lib's message names no protocol)", () => {
    expect(toPlanpointError(projectInUse(), req())).toMatchObject({
      status: 409,
      body: { message: 'Project is used by Planfix tasks or subprojects' },
    });
  });

  it('answers an unknown route 405 with Allow on a known path, else 404 Not found', () => {
    const route = new DomainError('NOT_FOUND', 'no such route', { entity: 'route' });
    expect(toPlanpointError(route, req('/api/projects/find'))).toMatchObject({ status: 405, headers: { Allow: 'POST, OPTIONS' } });
    expect(toPlanpointError(route, req('/api/projects/abc/frobnicate'))).toMatchObject({ status: 404, body: { message: 'Not found' } });
  });

  it('sends Retry-After on 429 and 503, and a plain 500', () => {
    expect(toPlanpointError(new DomainError('RATE_LIMITED', 'x', { retryAfter: 7 }), req()).headers['Retry-After']).toBe('7');
    expect(toPlanpointError(new DomainError('RATE_LIMITED', 'x', { reason: 'login_lockout' }), req()).body).toEqual({
      message: 'Too many login attempts',
    });
    expect(toPlanpointError(DomainError.unavailable(), req()).headers['Retry-After']).toBe('5');
    expect(PLANPOINT_ERRORS.internal(req())).toMatchObject({ status: 500, body: { message: 'Internal server error' } });
  });
});
