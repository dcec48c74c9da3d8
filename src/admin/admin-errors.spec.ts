import { DomainError, type DomainErrorCode } from '#errors';
import { toAdminError } from './admin-errors.js';
import { errorBodies } from '../../test/support/error-bodies.js';
import { AdminExceptionFilter } from './admin-exception.filter.js';

describe('toAdminError', () => {
  const table: [DomainErrorCode, number, string][] = [
    ['MALFORMED', 400, 'malformed_request'],
    ['INVALID', 422, 'invalid_fields'],
    ['NOT_FOUND', 404, 'not_found'],
    ['CONFLICT', 409, 'conflict'],
    ['UNAUTHENTICATED', 401, 'unauthorized'],
    ['FORBIDDEN', 403, 'forbidden'],
    ['RATE_LIMITED', 429, 'rate_limited'],
    ['PAYLOAD_TOO_LARGE', 413, 'payload_too_large'],
    ['UNSUPPORTED_MEDIA_TYPE', 415, 'unsupported_media_type'],
    ['METHOD_NOT_ALLOWED', 405, 'method_not_allowed'],
    ['UNAVAILABLE', 503, 'unavailable'],
  ];

  it.each(table)('%s → %i %s', (code, status, wireCode) => {
    const wire = toAdminError(new DomainError(code, 'message', { retryAfter: 7 }));
    expect(wire.status).toBe(status);
    expect(wire.body).toEqual({ error: { code: wireCode, message: 'message' } });
  });

  it('puts field details on 422 and Retry-After on 429 and 503', () => {
    expect(toAdminError(DomainError.invalid([{ field: 'slug', issue: 'bad', input: 'x' }])).body).toEqual({
      error: { code: 'invalid_fields', message: 'invalid input', details: [{ field: 'slug', issue: 'bad' }] },
    });
    expect(toAdminError(new DomainError('RATE_LIMITED', 'slow', { retryAfter: 12 })).headers).toEqual({ 'Retry-After': '12' });
    expect(toAdminError(DomainError.unavailable()).headers).toEqual({ 'Retry-After': '5' });
  });

  it('answers every error kind as its committed snapshot says', () => {
    expect(errorBodies(new AdminExceptionFilter(), [{ method: 'GET', path: '/admin/accounts' }])).toMatchSnapshot();
  });
});
