import { type Request } from 'express';
import { DomainError, type DomainErrorCode } from '#errors';
import { FORWARD_PLANNER_ERRORS, toForwardPlannerError } from './forward-planner-errors.js';
import { errorBodies } from '../../../test/support/error-bodies.js';
import { ForwardPlannerExceptionFilter } from './forward-planner-exception.filter.js';

const req = (path: string, method = 'GET') => ({ path, method }) as Request;

describe('toForwardPlannerError', () => {
  const table: [DomainErrorCode, number, string][] = [
    ['MALFORMED', 400, 'Bad Request'],
    ['INVALID', 400, 'Bad Request'],
    ['NOT_FOUND', 404, 'Not Found'],
    ['CONFLICT', 409, 'Conflict'],
    ['UNAUTHENTICATED', 401, 'Unauthorised'],
    ['FORBIDDEN', 403, 'Forbidden'],
    ['RATE_LIMITED', 429, 'Throttle Limit Reached'],
    ['PAYLOAD_TOO_LARGE', 413, 'Payload Too Large'],
    ['UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported Media Type'],
    ['METHOD_NOT_ALLOWED', 405, 'Method Not Allowed'],
    ['UNAVAILABLE', 503, 'Service Unavailable'],
  ];

  it.each(table)('%s → %i %s, exactly {error, message}', (code, status, error) => {
    const wire = toForwardPlannerError(new DomainError(code, 'message', { retryAfter: 7 }), req('/api/v2/events/1'));
    expect(wire.status).toBe(status);
    expect(Object.keys(wire.body as object)).toEqual(['error', 'message']);
    expect((wire.body as { error: string }).error).toBe(error);
  });

  it('gives the seed 429 body naming its Retry-After', () => {
    const wire = toForwardPlannerError(new DomainError('RATE_LIMITED', 'x', { retryAfter: 12 }), req('/api/v2/categories'));
    expect(wire.headers).toEqual({ 'Retry-After': '12' });
    expect(wire.body).toEqual({ error: 'Throttle Limit Reached', message: 'You have exceeded the rate limit. Retry after 12 seconds.' });
  });

  it('asks for a bearer on data paths, not on the login paths', () => {
    expect(toForwardPlannerError(DomainError.unauthenticated('x'), req('/api/v2/events/date')).headers).toEqual({
      'WWW-Authenticate': 'Bearer error="invalid_token"',
    });
    expect(toForwardPlannerError(DomainError.unauthenticated('x'), req('/api/v2/auth')).headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });

  it('answers an unknown route 404, a known path with another method 405 with Allow', () => {
    expect(toForwardPlannerError(DomainError.notFound('route'), req('/api/v2/nothing')).status).toBe(404);
    const wrong = toForwardPlannerError(DomainError.notFound('route'), req('/api/v2/events/date', 'POST'));
    expect(wrong.status).toBe(405);
    expect(wrong.headers).toEqual({ Allow: 'GET' });
  });

  it('hides a fault behind a 500 in the same shape', () => {
    expect(FORWARD_PLANNER_ERRORS.internal(req('/api/v2/auth'))).toEqual({
      status: 500,
      headers: {},
      body: { error: 'Internal Server Error', message: 'An unexpected error occurred' },
    });
  });

  it('answers every error kind as its committed snapshot says', () => {
    const requests = [
      { method: 'GET', path: '/api/v2/events/latest' },
      { method: 'GET', path: '/api/v2/nowhere' },
      { method: 'POST', path: '/api/v2/auth' },
    ];
    expect(errorBodies(new ForwardPlannerExceptionFilter(), requests)).toMatchSnapshot();
  });
});
