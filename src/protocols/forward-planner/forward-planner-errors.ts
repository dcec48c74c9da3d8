import { type Request } from 'express';
import { assertNever, type DomainError } from '#errors';
import { type ProtocolErrors, type WireError } from '../../common/wire-error.js';
import { allowedMethods } from './forward-planner-routes.js';

/** `{"error": <reason phrase>, "message": <text>}`, nothing else (docs/forward-planner.md). */
function fpError(status: number, error: string, message: string, headers: Record<string, string> = {}): WireError {
  return { status, headers, body: { error, message } };
}

function isLoginPath(req: Request): boolean {
  return /^\/api\/v2\/auth(\/renew)?\/?$/i.test(req.path);
}

/** The seed's 429 body, naming the seconds of its `Retry-After`. */
export function throttled(retryAfter: number, headers: Record<string, string> = {}): WireError {
  const n = Math.max(1, Math.ceil(retryAfter));
  return fpError(429, 'Throttle Limit Reached', `You have exceeded the rate limit. Retry after ${n} seconds.`, {
    ...headers,
    'Retry-After': String(n),
  });
}

export function toForwardPlannerError(e: DomainError, req: Request): WireError {
  switch (e.code) {
    case 'MALFORMED':
    case 'INVALID':
      return fpError(400, 'Bad Request', e.message);
    case 'NOT_FOUND':
      if (e.entity === 'route') {
        const allow = allowedMethods(req.path);
        if (allow.length)
          return fpError(405, 'Method Not Allowed', `${req.method} is not allowed on ${req.path}`, { Allow: allow.join(', ') });
        return fpError(404, 'Not Found', `No endpoint ${req.path}`);
      }
      return fpError(404, 'Not Found', e.message);
    case 'CONFLICT':
      return fpError(409, 'Conflict', e.message);
    case 'UNAUTHENTICATED':
      return fpError(401, 'Unauthorised', e.message, { 'WWW-Authenticate': isLoginPath(req) ? 'Bearer' : 'Bearer error="invalid_token"' });
    case 'FORBIDDEN':
      return fpError(403, 'Forbidden', e.message);
    case 'RATE_LIMITED':
      return throttled(e.retryAfter ?? 1);
    case 'PAYLOAD_TOO_LARGE':
      return fpError(413, 'Payload Too Large', 'The request body is too large');
    case 'UNSUPPORTED_MEDIA_TYPE':
      return fpError(415, 'Unsupported Media Type', e.message);
    case 'METHOD_NOT_ALLOWED':
      return fpError(405, 'Method Not Allowed', e.message, { Allow: (e.allow ?? []).join(', ') });
    case 'UNAVAILABLE':
      return fpError(503, 'Service Unavailable', 'The service is temporarily unavailable', { 'Retry-After': String(e.retryAfter ?? 5) });
    default:
      return assertNever(e);
  }
}

export const FORWARD_PLANNER_ERRORS: ProtocolErrors = {
  render: toForwardPlannerError,
  internal: () => fpError(500, 'Internal Server Error', 'An unexpected error occurred'),
};
