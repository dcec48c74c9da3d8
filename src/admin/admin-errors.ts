import { assertNever, type DomainError } from '#errors';
import { type ProtocolErrors, type WireError } from '../common/wire-error.js';

/** `{"error":{"code","message","details"}}`: the Admin API's one error shape (README, Admin API). */
export function adminError(
  status: number,
  code: string,
  message: string,
  details?: unknown[],
  headers: Record<string, string> = {},
): WireError {
  return { status, headers, body: { error: { code, message, ...(details?.length ? { details } : {}) } } };
}

export function toAdminError(e: DomainError): WireError {
  const details = e.fields.map(({ field, issue }) => ({ field, issue }));
  switch (e.code) {
    case 'MALFORMED':
      return adminError(400, 'malformed_request', e.message);
    case 'INVALID':
      return adminError(422, 'invalid_fields', e.message, details);
    case 'NOT_FOUND':
      return adminError(404, 'not_found', e.message);
    case 'CONFLICT':
      return adminError(409, 'conflict', e.message, details);
    case 'UNAUTHENTICATED':
      return adminError(401, 'unauthorized', e.message, undefined, { 'WWW-Authenticate': 'Bearer' });
    case 'FORBIDDEN':
      return adminError(403, 'forbidden', e.message);
    case 'RATE_LIMITED':
      return adminError(429, 'rate_limited', e.message, undefined, { 'Retry-After': String(e.retryAfter ?? 1) });
    case 'PAYLOAD_TOO_LARGE':
      return adminError(413, 'payload_too_large', e.message);
    case 'UNSUPPORTED_MEDIA_TYPE':
      return adminError(415, 'unsupported_media_type', e.message);
    case 'METHOD_NOT_ALLOWED':
      return adminError(405, 'method_not_allowed', e.message, undefined, { Allow: (e.allow ?? []).join(', ') });
    case 'UNAVAILABLE':
      return adminError(503, 'unavailable', e.message, undefined, { 'Retry-After': String(e.retryAfter ?? 5) });
    default:
      return assertNever(e);
  }
}

/**
 * The Admin API's errors; also the gateway's own format for paths no protocol owns (until a protocol module
 * registers its own, its paths are answered this way too).
 */
export const ADMIN_ERRORS: ProtocolErrors = {
  render: (e) => toAdminError(e),
  internal: () => adminError(500, 'internal_error', 'internal error'),
};
