import { type Request } from 'express';
import {
  assertNever,
  issueKind,
  type DomainError,
  type Entity,
  type ForbiddenReason,
  type IssueKind,
  type RateLimitedReason,
  type UnauthenticatedReason,
} from '#errors';
import { type ProtocolErrors, type WireError } from '../../common/wire-error.js';
import { type RequestWithPlanfix } from './wire/planfix-call.js';
import { errorResponse, XML_CONTENT_TYPE } from './wire/xml-response.js';

/** Each code's one message (docs/planfix.md): never a record's name, never another account's anything. */
export const PLANFIX_MESSAGES = {
  '0001': 'invalid API key',
  '0003': 'malformed request',
  '0004': 'unknown account',
  '0005': 'session key expired or unknown',
  '0006': 'invalid signature',
  '0007': 'request limit exceeded',
  '0008': 'unknown method',
  '0009': 'missing required parameter',
  '0011': 'temporarily unavailable',
  '0012': 'no session and no token',
  '0015': 'invalid parameter value',
  '0016': 'parameter value not allowed here',
  '0017': 'missing dependent parameter',
  '0018': 'not implemented',
  '0019': 'conflicting parameters',
  '0021': 'too many objects requested',
  '0022': 'API not available on the free plan',
  '1001': 'wrong login or password',
  '2001': 'project not found',
  '3001': 'task not found',
  '3003': 'project of the task not found',
  '3006': 'start is after the end',
  '4002': 'action not found',
  '5001': 'user group not found',
  '6004': 'user not found',
  '8002': 'contact not found',
  '8003': 'company name already taken',
  '8010': 'invalid e-mail',
} as const;
export type PlanfixCode = keyof typeof PLANFIX_MESSAGES;

/**
 * What Planfix answers when an entity is not found, and when it conflicts. A record Planfix has no code of its own for
 * is a parameter value that names nothing (0015); `route` is an unknown method (0008).
 */
const ENTITY_CODES: Record<Entity, { notFound: PlanfixCode; conflict: PlanfixCode }> = {
  route: { notFound: '0008', conflict: '0016' },
  account: { notFound: '0004', conflict: '0016' },
  user: { notFound: '6004', conflict: '0016' },
  api_key: { notFound: '0015', conflict: '0016' },
  signing_key: { notFound: '0015', conflict: '0016' },
  session: { notFound: '0015', conflict: '0016' },
  refresh_token: { notFound: '0015', conflict: '0016' },
  company: { notFound: '0015', conflict: '8003' },
  spreadsheet: { notFound: '0015', conflict: '0016' },
  spreadsheet_table: { notFound: '0015', conflict: '0016' },
  touchpoint: { notFound: '0015', conflict: '0016' },
  file: { notFound: '0015', conflict: '0016' },
  event: { notFound: '0015', conflict: '0016' },
  project: { notFound: '2001', conflict: '0016' },
  project_member: { notFound: '0015', conflict: '0016' },
  task: { notFound: '3001', conflict: '0016' },
  task_member: { notFound: '0015', conflict: '0016' },
  task_project: { notFound: '3003', conflict: '0016' },
  action: { notFound: '4002', conflict: '0016' },
  notified_user: { notFound: '0015', conflict: '0016' },
  contact: { notFound: '8002', conflict: '0016' },
  user_group: { notFound: '5001', conflict: '0016' },
  floor: { notFound: '0015', conflict: '0016' },
  unit: { notFound: '0015', conflict: '0016' },
  lead: { notFound: '0015', conflict: '0016' },
  group: { notFound: '0015', conflict: '0016' },
  enterprise: { notFound: '0015', conflict: '0016' },
  destination: { notFound: '0015', conflict: '0016' },
  object: { notFound: '0015', conflict: '0016' },
  sync: { notFound: '0015', conflict: '0016' },
  run: { notFound: '0015', conflict: '0016' },
  run_item: { notFound: '0015', conflict: '0016' },
  dead_letter: { notFound: '0015', conflict: '0016' },
};

const INVALID_CODES: Record<IssueKind, PlanfixCode> = {
  missing: '0009',
  invalid_value: '0015',
  not_allowed: '0016',
  dependent_missing: '0017',
  unsupported: '0018',
  conflicting: '0019',
  too_many: '0021',
  start_after_end: '3006',
  invalid_email: '8010',
  unreadable: '0003',
  refused_by_state: '0016',
};

const UNAUTHENTICATED_CODES: Record<UnauthenticatedReason, PlanfixCode> = {
  invalid_credential: '0001',
  missing_credential: '0001',
  wrong_password: '1001',
  invalid_session: '0005',
  no_user_credential: '0012',
  invalid_signature: '0006',
};

const FORBIDDEN_CODES: Record<ForbiddenReason, PlanfixCode> = {
  not_permitted: '0016',
  plan_without_api: '0022',
  insufficient_role: '0016',
  project_paused: '0016',
  forms_disabled: '0016',
  company_not_assigned: '0016',
  units_not_accessible: '0016',
  event_not_in_product: '0016',
  event_embargoed: '0016',
};

/** 0007 says which limit it was (still fixed texts). */
const RATE_LIMITED_MESSAGES: Record<RateLimitedReason, string> = {
  too_many_requests: 'request rate exceeded',
  daily_quota: 'daily request limit exceeded',
  failed_attempts: 'too many failed attempts',
  login_lockout: 'too many failed attempts',
};

/** A domain error as a Planfix code and one of its fixed messages. */
export function planfixCode(e: DomainError): { code: PlanfixCode; message: string } {
  const fixed = (code: PlanfixCode, message: string = PLANFIX_MESSAGES[code]) => ({ code, message });
  switch (e.code) {
    case 'MALFORMED':
    case 'METHOD_NOT_ALLOWED':
    case 'UNSUPPORTED_MEDIA_TYPE':
      return fixed('0003');
    case 'PAYLOAD_TOO_LARGE':
      return fixed('0003', 'request body too large');
    case 'NOT_FOUND':
      // Every constructor names the entity; one built by hand without it is answered like a fault.
      return fixed(e.entity ? ENTITY_CODES[e.entity].notFound : '0011');
    case 'INVALID':
      return fixed(INVALID_CODES[issueKind(e.fields[0]?.type)]);
    case 'CONFLICT':
      return fixed(e.entity ? ENTITY_CODES[e.entity].conflict : '0016');
    case 'UNAUTHENTICATED':
      return fixed(UNAUTHENTICATED_CODES[e.reason]);
    case 'FORBIDDEN':
      return fixed(FORBIDDEN_CODES[e.reason]);
    case 'RATE_LIMITED':
      return fixed('0007', RATE_LIMITED_MESSAGES[e.reason]);
    case 'UNAVAILABLE':
      return fixed('0011');
    default:
      return assertNever(e);
  }
}

function envelope(code: PlanfixCode, message: string, req: Request): WireError {
  const remaining = (req as Request & RequestWithPlanfix).planfix?.remaining ?? 0;
  return {
    status: 200,
    headers: { 'X-RateLimit-Remaining': String(remaining) },
    body: errorResponse(code, message),
    contentType: XML_CONTENT_TYPE,
  };
}

/** The XML error envelope with HTTP 200, always (docs/planfix.md): clients that check the status code must not fail. */
export const PLANFIX_ERRORS: ProtocolErrors = {
  render: (e, req) => {
    const { code, message } = planfixCode(e);
    return envelope(code, message, req);
  },
  internal: (req) => envelope('0011', PLANFIX_MESSAGES['0011'], req),
};
