import { type Request } from 'express';
import { assertNever, type DomainError, type FieldIssue } from '#errors';
import { type ProtocolErrors, type WireError } from '../../common/wire-error.js';
import { allowedMethods } from './plansync-routes.js';

function detail(status: number, text: string, headers: Record<string, string> = {}): WireError {
  return { status, headers, body: { detail: text } };
}

/** A FastAPI 422 item; a problem without a pydantic type (a store constraint) becomes a `value_error`. */
function item(f: FieldIssue) {
  return {
    type: f.type ?? 'value_error',
    loc: f.loc ?? ['body', f.field],
    msg: f.type ? f.issue : `Value error, ${f.issue}`,
    input: f.input === undefined ? null : f.input,
    ...(f.ctx ? { ctx: f.ctx } : {}),
  };
}

/** `{"detail": ...}` with FastAPI's statuses (docs/plansync.md). */
export function toPlanSyncError(e: DomainError, req: Request): WireError {
  switch (e.code) {
    case 'MALFORMED': {
      const f = e.fields[0];
      if (f?.type === 'json_invalid')
        return { status: 422, headers: {}, body: { detail: [{ ...item(f), msg: 'JSON decode error', input: {} }] } };
      if (f?.type === 'path_invalid') return detail(400, req.path.startsWith('/api/v1/files') ? 'Invalid filename' : 'Invalid path');
      return detail(400, e.message);
    }
    case 'INVALID':
      return e.fields.length ? { status: 422, headers: {}, body: { detail: e.fields.map(item) } } : detail(400, e.message);
    case 'NOT_FOUND':
      if (e.entity === 'route') {
        const allow = allowedMethods(req.path);
        if (allow.length) return detail(405, 'Method Not Allowed', { Allow: allow.join(', ') });
        return detail(404, 'Not Found');
      }
      return detail(404, e.message);
    case 'CONFLICT':
      return detail(409, e.message);
    case 'UNAUTHENTICATED':
      return detail(401, e.message, { 'WWW-Authenticate': 'APIKey' });
    case 'FORBIDDEN':
      return detail(403, e.message);
    case 'RATE_LIMITED':
      return detail(429, e.message, { 'Retry-After': String(Math.max(1, e.retryAfter ?? 1)) });
    case 'PAYLOAD_TOO_LARGE':
      return detail(413, 'Request body too large');
    case 'UNSUPPORTED_MEDIA_TYPE':
      return detail(415, 'Unsupported Media Type');
    case 'METHOD_NOT_ALLOWED':
      return detail(405, 'Method Not Allowed', { Allow: (e.allow ?? []).join(', ') });
    case 'UNAVAILABLE':
      return detail(503, 'Service temporarily unavailable', { 'Retry-After': String(e.retryAfter ?? 5) });
    default:
      return assertNever(e);
  }
}

export const PLANSYNC_ERRORS: ProtocolErrors = {
  render: toPlanSyncError,
  internal: () => detail(500, 'Internal Server Error'),
};
