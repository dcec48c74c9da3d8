import { type Request } from 'express';
import { assertNever, type DomainError, type FieldIssue, type UnauthenticatedReason } from '#errors';
import { type ProtocolErrors, type WireError } from '../../common/wire-error.js';
import { allowedMethods } from './reverse-etl-routes.js';

/** The request id the logger gave the request (and echoed as X-Request-Id). */
function requestId(req: Request): string | null {
  const id = (req as Request & { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

function details(fields: FieldIssue[]) {
  return fields.map((f) => ({ field: f.field, issue: f.type ?? 'invalid_value', message: f.issue }));
}

/** `{"error":{"code","message","request_id","details"}}` (docs/reverse-etl.md); messages never carry secrets or SQL. */
function retlError(
  req: Request,
  status: number,
  code: string,
  message: string,
  fields: FieldIssue[] = [],
  headers: Record<string, string> = {},
): WireError {
  return {
    status,
    headers,
    body: { error: { code, message, request_id: requestId(req), ...(fields.length ? { details: details(fields) } : {}) } },
  };
}

const BEARER = { 'WWW-Authenticate': 'Bearer realm="plangate"' };

function unauthenticated(req: Request, reason: UnauthenticatedReason): WireError {
  switch (reason) {
    case 'missing_credential':
      return retlError(req, 401, 'unauthorized', 'an API key is required: Authorization: Bearer <key>', [], BEARER);
    case 'invalid_credential':
    case 'wrong_password':
    case 'invalid_session':
    case 'no_user_credential':
    case 'invalid_signature':
      return retlError(req, 401, 'invalid_api_key', 'the API key is not valid', [], BEARER);
    default:
      return assertNever(reason);
  }
}

export function toReverseEtlError(e: DomainError, req: Request): WireError {
  switch (e.code) {
    case 'MALFORMED': {
      const f = e.fields[0];
      if (f?.type === 'json_invalid' || f?.field === 'body')
        return retlError(req, 400, 'invalid_json', 'the request body is not a JSON object');
      return retlError(req, 400, 'invalid_request', e.message, e.fields);
    }
    case 'INVALID':
      return retlError(req, 422, 'validation_error', e.message, e.fields);
    case 'NOT_FOUND':
      if (e.entity === 'route') {
        const allow = allowedMethods(req.path);
        if (allow.length)
          return retlError(req, 405, 'method_not_allowed', `${req.method} is not allowed here`, [], { Allow: allow.join(', ') });
        return retlError(req, 404, 'not_found', 'no such endpoint');
      }
      return retlError(req, 404, 'not_found', 'not found');
    case 'CONFLICT':
      return retlError(req, 409, e.fields[0]?.type ?? 'conflict', e.message);
    case 'UNAUTHENTICATED':
      return unauthenticated(req, e.reason);
    case 'FORBIDDEN':
      return retlError(req, 403, 'forbidden', e.message);
    case 'RATE_LIMITED':
      return retlError(req, 429, 'rate_limited', e.message, [], { 'Retry-After': String(Math.max(1, Math.ceil(e.retryAfter ?? 1))) });
    case 'PAYLOAD_TOO_LARGE':
      return retlError(req, 413, 'payload_too_large', 'the request body is larger than 1 MiB');
    case 'UNSUPPORTED_MEDIA_TYPE':
      return retlError(req, 415, 'unsupported_media_type', 'send application/json');
    case 'METHOD_NOT_ALLOWED':
      return retlError(req, 405, 'method_not_allowed', e.message, [], { Allow: (e.allow ?? []).join(', ') });
    case 'UNAVAILABLE':
      return retlError(req, 503, 'unavailable', 'the service is temporarily unavailable', [], { 'Retry-After': String(e.retryAfter ?? 5) });
    default:
      return assertNever(e);
  }
}

export const REVERSE_ETL_ERRORS: ProtocolErrors = {
  render: toReverseEtlError,
  internal: (req) => retlError(req, 500, 'internal_error', 'an unexpected error occurred; quote the request_id'),
};
