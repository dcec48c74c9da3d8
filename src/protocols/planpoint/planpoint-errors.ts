import { type Request } from 'express';
import { assertNever, type DomainError } from '#errors';
import { type ProtocolErrors, type WireError } from '../../common/wire-error.js';
import { allowedMethods } from './planpoint-routes.js';

const JSON_TYPE = 'application/json; charset=utf-8';

function message(status: number, text: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): WireError {
  return { status, headers, body: { message: text, ...extra }, contentType: JSON_TYPE };
}

/** `{"message": …}` with the statuses of docs/planpoint.md (and `paused` on the paused 403). */
export function toPlanpointError(e: DomainError, req: Request): WireError {
  switch (e.code) {
    case 'MALFORMED':
      return message(400, e.fields[0]?.type === 'path_invalid' ? 'Invalid id' : 'Invalid JSON body');
    case 'INVALID':
      return message(400, e.message);
    case 'NOT_FOUND': {
      if (e.entity !== 'route') return message(404, e.message);
      const allow = allowedMethods(req.path);
      return allow.length ? message(405, 'Method not allowed', { Allow: allow.join(', ') }) : message(404, 'Not found');
    }
    case 'CONFLICT':
      return message(409, e.entity === 'project in use' ? 'Project is used by Planfix tasks or subprojects' : e.message);
    case 'UNAUTHENTICATED':
      if (e.entity === 'login') return message(401, 'Invalid username or password');
      if (e.entity === 'missing') return message(401, 'Missing access token', { 'WWW-Authenticate': 'Bearer' });
      return message(401, 'Invalid or expired token', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    case 'FORBIDDEN':
      if (e.entity === 'paused')
        return message(403, 'Project is paused', {}, { paused: { value: true, reason: e.fields[0]?.issue ?? 'paused' } });
      return message(403, e.message);
    case 'RATE_LIMITED':
      return message(429, e.entity === 'login' ? 'Too many login attempts' : 'Too many requests, retry later', {
        'Retry-After': String(Math.max(1, e.retryAfter ?? 1)),
      });
    case 'PAYLOAD_TOO_LARGE':
      return message(413, 'Request body too large');
    case 'METHOD_NOT_ALLOWED':
      return message(405, 'Method not allowed', { Allow: (e.allow ?? []).join(', ') });
    case 'UNSUPPORTED_MEDIA_TYPE':
      return message(415, 'Unsupported media type');
    case 'UNAVAILABLE':
      return message(503, 'Service temporarily unavailable', { 'Retry-After': String(e.retryAfter ?? 5) });
    default:
      return assertNever(e.code);
  }
}

export const PLANPOINT_ERRORS: ProtocolErrors = {
  render: toPlanpointError,
  internal: () => message(500, 'Internal server error'),
};
