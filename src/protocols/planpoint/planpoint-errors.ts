import { type Request } from 'express';
import { assertNever, type DomainError, type RateLimitedReason, type UnauthenticatedReason } from '#errors';
import { type ProtocolErrors, type WireError } from '../../common/wire-error.js';
import { allowedMethods } from './planpoint-routes.js';

const JSON_TYPE = 'application/json; charset=utf-8';

function message(status: number, text: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): WireError {
  return { status, headers, body: { message: text, ...extra }, contentType: JSON_TYPE };
}

function unauthenticated(reason: UnauthenticatedReason): WireError {
  switch (reason) {
    case 'wrong_password':
      return message(401, 'Invalid username or password');
    case 'missing_credential':
      return message(401, 'Missing access token', { 'WWW-Authenticate': 'Bearer' });
    case 'invalid_credential':
    case 'invalid_session':
    case 'no_user_credential':
    case 'invalid_signature':
      return message(401, 'Invalid or expired token', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    default:
      return assertNever(reason);
  }
}

function forbidden(e: DomainError<'FORBIDDEN'>): WireError {
  switch (e.reason) {
    case 'project_paused':
      return message(403, 'Project is paused', {}, { paused: { value: true, reason: e.fields[0]?.issue ?? 'paused' } });
    case 'not_permitted':
    case 'plan_without_api':
    case 'insufficient_role':
    case 'forms_disabled':
    case 'company_not_assigned':
    case 'units_not_accessible':
    case 'event_not_in_product':
    case 'event_embargoed':
      return message(403, e.message);
    default:
      return assertNever(e.reason);
  }
}

const RATE_LIMITED_MESSAGES: Record<RateLimitedReason, string> = {
  too_many_requests: 'Too many requests, retry later',
  daily_quota: 'Too many requests, retry later',
  failed_attempts: 'Too many requests, retry later',
  login_lockout: 'Too many login attempts',
};

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
      return message(409, e.fields[0]?.type === 'project_in_use' ? 'Project is used by Planfix tasks or subprojects' : e.message);
    case 'UNAUTHENTICATED':
      return unauthenticated(e.reason);
    case 'FORBIDDEN':
      return forbidden(e);
    case 'RATE_LIMITED':
      return message(429, RATE_LIMITED_MESSAGES[e.reason], { 'Retry-After': String(Math.max(1, e.retryAfter ?? 1)) });
    case 'PAYLOAD_TOO_LARGE':
      return message(413, 'Request body too large');
    case 'METHOD_NOT_ALLOWED':
      return message(405, 'Method not allowed', { Allow: (e.allow ?? []).join(', ') });
    case 'UNSUPPORTED_MEDIA_TYPE':
      return message(415, 'Unsupported media type');
    case 'UNAVAILABLE':
      return message(503, 'Service temporarily unavailable', { 'Retry-After': String(e.retryAfter ?? 5) });
    default:
      return assertNever(e);
  }
}

export const PLANPOINT_ERRORS: ProtocolErrors = {
  render: toPlanpointError,
  internal: () => message(500, 'Internal server error'),
};
