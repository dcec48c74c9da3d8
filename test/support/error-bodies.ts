import { type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainError, type FieldIssue } from '#errors';

/**
 * The error bodies of one protocol as text for a committed snapshot: every error kind (each code, and each entity,
 * reason and field-issue kind a protocol may answer differently) rendered by the protocol's own exception filter for
 * a fixed request, so that a change to any status, header or body shows in review. Cases that answer alike are
 * listed together under one answer.
 */

/** The request the bodies are rendered for; `id` is fixed so that the formats quoting it stay the same. */
export interface ErrorRequest {
  method: string;
  path: string;
  /** What a protocol's guard or middleware leaves on the request before an error (Planfix's `planfix.remaining`). */
  [extra: string]: unknown;
}

export const FIXED_REQUEST_ID = '00000000-0000-4000-8000-000000000001';

interface Case {
  label: string;
  error: unknown;
}

/** The text every domain error of the catalogue carries, so that a format that echoes it shows where. */
const MESSAGE = 'the domain message';

const field = (type?: string, extra: Partial<FieldIssue> = {}): FieldIssue => ({
  field: 'name',
  issue: 'the issue text',
  ...(type ? { type } : {}),
  ...extra,
});

const NOT_FOUND_ENTITIES = [
  'route',
  'method',
  'account',
  'user',
  'key',
  'signing key',
  'spreadsheet table',
  'touchpoint',
  'project',
  'floor',
  'unit',
  'group',
  'enterprise',
  'file',
  'dlq_entry',
  'destination',
  'sync',
  'run',
  'object',
  'event',
  'task',
  'task project',
  'action',
  'user group',
  'contact',
];

const CONFLICT_ENTITIES = [
  'account',
  'user',
  'key',
  'company',
  'spreadsheet',
  'spreadsheet table',
  'file',
  'touchpoint',
  'event',
  'refresh token',
  'project',
  'project member',
  'task',
  'task member',
  'action',
  'notified user',
  'contact',
  'session',
  'floor',
  'unit',
  'lead',
  'group',
  'enterprise',
  'destination',
  'sync',
  'run',
  'run item',
  'dead letter',
  'signing key',
  'hostName',
];

const INVALID_TYPES = [
  'missing',
  'invalid_value',
  'not_allowed',
  'dependent_missing',
  'unsupported',
  'conflicting',
  'too_many',
  'start_after_end',
  'invalid_email',
];

/** Every error kind, one domain error each, in the order the snapshot lists them. */
function catalogue(): Case[] {
  const c = (label: string, error: unknown): Case => ({ label, error });
  return [
    c('MALFORMED', DomainError.malformed(MESSAGE)),
    c('MALFORMED, body not JSON (json_invalid)', new DomainError('MALFORMED', MESSAGE, { fields: [jsonInvalid()] })),
    c(
      'MALFORMED, path not decodable (path_invalid)',
      new DomainError('MALFORMED', MESSAGE, {
        fields: [{ field: 'path', issue: 'malformed percent-escape', loc: ['path'], type: 'path_invalid' }],
      }),
    ),
    c(
      'MALFORMED, query parameter (invalid_cursor)',
      new DomainError('MALFORMED', MESSAGE, { fields: [field('invalid_cursor', { field: 'cursor', loc: ['query', 'cursor'] })] }),
    ),
    c('INVALID, no fields', DomainError.invalid([], MESSAGE)),
    c('INVALID, a field without a kind', DomainError.invalid([field()], MESSAGE)),
    ...INVALID_TYPES.map((type) => c(`INVALID, a field ${type}`, DomainError.invalid([field(type)], MESSAGE))),
    c(
      'INVALID, a field with its place, input and limits',
      DomainError.invalid(
        [field('greater_than_equal', { field: 'query.year', loc: ['query', 'year'], input: '1800', ctx: { ge: 1900 } })],
        MESSAGE,
      ),
    ),
    c('NOT_FOUND, no entity', new DomainError('NOT_FOUND', MESSAGE)),
    ...NOT_FOUND_ENTITIES.map((entity) => c(`NOT_FOUND ${entity}`, DomainError.notFound(entity, MESSAGE))),
    c('CONFLICT, no entity', new DomainError('CONFLICT', MESSAGE)),
    ...CONFLICT_ENTITIES.map((entity) => c(`CONFLICT ${entity}`, DomainError.conflict(entity, 'name', MESSAGE))),
    ...['destination_in_use', 'quota_exceeded', 'run_finished'].map((type) =>
      c(`CONFLICT, a field ${type}`, new DomainError('CONFLICT', MESSAGE, { entity: 'destination', fields: [field(type)] })),
    ),
    ...[undefined, 'key', 'session', 'token', 'login', 'signature', 'missing', 'missing_credential'].map((entity) =>
      c(`UNAUTHENTICATED ${entity ?? '(no reason)'}`, new DomainError('UNAUTHENTICATED', MESSAGE, { entity })),
    ),
    ...[undefined, 'plan', 'forms', 'role', 'company', 'batch', 'event'].map((entity) =>
      c(`FORBIDDEN ${entity ?? '(no reason)'}`, new DomainError('FORBIDDEN', MESSAGE, { entity })),
    ),
    c('FORBIDDEN paused', new DomainError('FORBIDDEN', MESSAGE, { entity: 'paused', fields: [{ field: 'paused', issue: 'billing' }] })),
    ...[undefined, 'day', 'rate', 'failures', 'login'].map((entity) =>
      c(`RATE_LIMITED ${entity ?? '(no reason)'}, retry after 7 s`, new DomainError('RATE_LIMITED', MESSAGE, { entity, retryAfter: 7 })),
    ),
    c('PAYLOAD_TOO_LARGE', new DomainError('PAYLOAD_TOO_LARGE', MESSAGE)),
    c('UNSUPPORTED_MEDIA_TYPE', new DomainError('UNSUPPORTED_MEDIA_TYPE', MESSAGE)),
    c('METHOD_NOT_ALLOWED, GET and POST served', new DomainError('METHOD_NOT_ALLOWED', MESSAGE, { allow: ['GET', 'POST'] })),
    c('UNAVAILABLE, retry after 7 s', DomainError.unavailable(MESSAGE, 7)),
    c('a fault (not a domain error)', new Error('a fault the answer must not explain')),
  ];
}

/** The error body-parser raises for `{"a":` and the domain error the gateway makes of it (src/common/to-domain-error.ts). */
function jsonInvalid(): FieldIssue {
  return {
    field: 'body',
    issue: 'JSON decode error',
    loc: ['body', 5],
    type: 'json_invalid',
    ctx: { error: 'Unexpected end of JSON input' },
  };
}

/** What the filter sent: the status line, the headers in the order set, and the body as sent. */
function render(filter: ExceptionFilter, error: unknown, request: ErrorRequest): string {
  const headers: string[] = [];
  let status = 0;
  let body = '';
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => headers.push(`${name}: ${value}`),
    status(code: number) {
      status = code;
      return this;
    },
    // Express sets a type with a slash as it is.
    type(type: string) {
      headers.push(`Content-Type: ${type}`);
      return this;
    },
    send(sent: string) {
      body = sent;
      return this;
    },
  };
  const req = { headers: {}, ...request, id: FIXED_REQUEST_ID };
  const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
  filter.catch(error, host);
  return [String(status), ...headers, body].join('\n');
}

function section(filter: ExceptionFilter, request: ErrorRequest, cases: Case[], unlessAsBefore?: Map<string, string>): string[] {
  const answers = new Map<string, string[]>();
  for (const { label, error } of cases) {
    const answer = render(filter, error, request);
    if (unlessAsBefore?.get(label) === answer) continue;
    answers.set(answer, [...(answers.get(answer) ?? []), label]);
  }
  return [...answers].map(([answer, labels]) => [...labels.map((l) => `- ${l}`), indent(answer)].join('\n'));
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

/**
 * The snapshot text of a protocol: every case on the first request, then for each further request only the cases
 * that answer differently there (a route a path does not serve, a login path's challenge).
 */
export function errorBodies(filter: ExceptionFilter, [first, ...others]: ErrorRequest[]): string {
  const cases = catalogue();
  const onFirst = new Map(cases.map(({ label, error }) => [label, render(filter, error, first)]));
  const out = [`${first.method} ${first.path} (request id ${FIXED_REQUEST_ID})`, '', section(filter, first, cases).join('\n\n')];
  for (const request of others) {
    const differing = section(filter, request, cases, onFirst);
    out.push('', `${request.method} ${request.path}: only what answers otherwise`, '', differing.join('\n\n') || '(nothing)');
  }
  return `\n${out.join('\n')}\n`;
}
