import { type Request } from 'express';
import { assertNever, type DomainError } from '#errors';
import { ISSUE } from '#projects';
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

/** The few codes whose message says which of their cases happened (still fixed texts). */
const VARIANTS: Record<string, string> = {
  'rate:day': 'daily request limit exceeded',
  'rate:rate': 'request rate exceeded',
  'rate:failures': 'too many failed attempts',
  body: 'request body too large',
};

const NOT_FOUND: Record<string, PlanfixCode> = {
  account: '0004',
  method: '0008',
  route: '0008',
  project: '2001',
  task: '3001',
  'task project': '3003',
  action: '4002',
  'user group': '5001',
  user: '6004',
  contact: '8002',
};

const INVALID: Record<string, PlanfixCode> = {
  [ISSUE.missing]: '0009',
  [ISSUE.invalid]: '0015',
  [ISSUE.notAllowed]: '0016',
  [ISSUE.dependentMissing]: '0017',
  [ISSUE.unsupported]: '0018',
  [ISSUE.conflicting]: '0019',
  [ISSUE.tooMany]: '0021',
  [ISSUE.startAfterEnd]: '3006',
  [ISSUE.email]: '8010',
};

const UNAUTHENTICATED: Record<string, PlanfixCode> = { session: '0005', token: '0012', login: '1001', signature: '0006' };

/** A domain error as a Planfix code and one of its fixed messages. */
export function planfixCode(e: DomainError): { code: PlanfixCode; message: string } {
  const fixed = (code: PlanfixCode, variant?: string) => ({ code, message: (variant && VARIANTS[variant]) ?? PLANFIX_MESSAGES[code] });
  switch (e.code) {
    case 'MALFORMED':
    case 'METHOD_NOT_ALLOWED':
    case 'UNSUPPORTED_MEDIA_TYPE':
      return fixed('0003');
    case 'PAYLOAD_TOO_LARGE':
      return fixed('0003', 'body');
    case 'NOT_FOUND':
      return fixed(NOT_FOUND[e.entity ?? ''] ?? '0011');
    case 'INVALID':
      return fixed(INVALID[e.fields[0]?.type ?? ''] ?? '0015');
    case 'CONFLICT':
      return fixed(e.entity === 'company' ? '8003' : '0016');
    case 'UNAUTHENTICATED':
      return fixed(UNAUTHENTICATED[e.entity ?? ''] ?? '0001');
    case 'FORBIDDEN':
      return fixed(e.entity === 'plan' ? '0022' : '0016');
    case 'RATE_LIMITED':
      return fixed('0007', `rate:${e.entity ?? 'rate'}`);
    case 'UNAVAILABLE':
      return fixed('0011');
    default:
      return assertNever(e.code);
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
