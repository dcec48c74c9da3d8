import { type Request } from 'express';
import { DomainError, type DomainErrorCode } from '#errors';
import { REVERSE_ETL_ERRORS, toReverseEtlError } from './reverse-etl-errors.js';

const req = (path: string, method = 'GET') => ({ path, method, id: 'req_1' }) as unknown as Request;

describe('toReverseEtlError', () => {
  const table: [DomainErrorCode, number, string][] = [
    ['MALFORMED', 400, 'invalid_request'],
    ['INVALID', 422, 'validation_error'],
    ['NOT_FOUND', 404, 'not_found'],
    ['CONFLICT', 409, 'conflict'],
    ['UNAUTHENTICATED', 401, 'invalid_api_key'],
    ['FORBIDDEN', 403, 'forbidden'],
    ['RATE_LIMITED', 429, 'rate_limited'],
    ['PAYLOAD_TOO_LARGE', 413, 'payload_too_large'],
    ['UNSUPPORTED_MEDIA_TYPE', 415, 'unsupported_media_type'],
    ['METHOD_NOT_ALLOWED', 405, 'method_not_allowed'],
    ['UNAVAILABLE', 503, 'unavailable'],
  ];

  it.each(table)('%s → %i %s in the error envelope with the request id', (code, status, wire) => {
    const out = toReverseEtlError(new DomainError(code, 'message', { retryAfter: 7 }), req('/api/reverse-etl/syncs/x'));
    expect(out.status).toBe(status);
    expect(Object.keys(out.body as object)).toEqual(['error']);
    expect((out.body as { error: { code: string; request_id: string } }).error).toMatchObject({ code: wire, request_id: 'req_1' });
  });

  it('names JSON errors invalid_json and query errors invalid_request with details', () => {
    expect(
      toReverseEtlError(
        new DomainError('MALFORMED', 'x', { fields: [{ field: 'body', issue: 'bad', type: 'json_invalid' }] }),
        req('/api/reverse-etl/syncs'),
      ).body,
    ).toEqual({
      error: { code: 'invalid_json', message: 'the request body is not a JSON object', request_id: 'req_1' },
    });
    const q = toReverseEtlError(
      new DomainError('MALFORMED', '1 query parameter is invalid', {
        fields: [{ field: 'limit', issue: 'must be 1 to 200', type: 'invalid_value' }],
      }),
      req('/x'),
    );
    expect(q.body).toEqual({
      error: {
        code: 'invalid_request',
        message: '1 query parameter is invalid',
        request_id: 'req_1',
        details: [{ field: 'limit', issue: 'invalid_value', message: 'must be 1 to 200' }],
      },
    });
  });

  it('gives 422 details as {field, issue, message} and 409 the conflict code it carries', () => {
    const e = DomainError.invalid(
      [{ field: 'fieldMappings[1].destination', type: 'unknown_field', issue: "Touchpoints has no field 'emial'" }],
      '1 field is invalid',
    );
    expect(toReverseEtlError(e, req('/api/reverse-etl/syncs')).body).toEqual({
      error: {
        code: 'validation_error',
        message: '1 field is invalid',
        request_id: 'req_1',
        details: [{ field: 'fieldMappings[1].destination', issue: 'unknown_field', message: "Touchpoints has no field 'emial'" }],
      },
    });
    const inUse = new DomainError('CONFLICT', 'in use', { fields: [{ field: 'id', issue: 'in use', type: 'destination_in_use' }] });
    expect(toReverseEtlError(inUse, req('/x')).body).toMatchObject({ error: { code: 'destination_in_use' } });
  });

  it('tells a missing credential from a bad one, both with WWW-Authenticate', () => {
    const missing = toReverseEtlError(new DomainError('UNAUTHENTICATED', 'x', { reason: 'missing_credential' }), req('/x'));
    expect(missing.body).toMatchObject({ error: { code: 'unauthorized' } });
    expect(missing.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="plangate"' });
    expect(toReverseEtlError(DomainError.unauthenticated(), req('/x')).headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="plangate"' });
  });

  it('answers an unknown route 404 and a known path with another method 405 with Allow; 429 and 503 with Retry-After', () => {
    expect(toReverseEtlError(DomainError.notFound('route'), req('/api/reverse-etl/nothing')).status).toBe(404);
    const wrong = toReverseEtlError(DomainError.notFound('route'), req('/v1/api/reverse-etl/syncs/', 'PATCH'));
    expect([wrong.status, wrong.headers]).toEqual([405, { Allow: 'GET, POST, HEAD' }]);
    expect(toReverseEtlError(new DomainError('RATE_LIMITED', 'x', { retryAfter: 0.2 }), req('/x')).headers).toEqual({ 'Retry-After': '1' });
    expect(toReverseEtlError(DomainError.unavailable(), req('/x')).headers).toEqual({ 'Retry-After': '5' });
  });

  it('hides a fault behind a 500 internal_error', () => {
    expect(REVERSE_ETL_ERRORS.internal(req('/x'))).toEqual({
      status: 500,
      headers: {},
      body: { error: { code: 'internal_error', message: 'an unexpected error occurred; quote the request_id', request_id: 'req_1' } },
    });
  });
});
