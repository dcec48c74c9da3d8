import { type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainError, ENTITY_NAMES, ISSUE_TYPES, REASONS, type Entity, type FieldIssue, type IssueType } from '#errors';

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

const FIXED_REQUEST_ID = '00000000-0000-4000-8000-000000000001';

interface Case {
  label: string;
  error: unknown;
}

/** The text every domain error of the catalogue carries, so that a format that echoes it shows where. */
const MESSAGE = 'the domain message';

const field = (type?: IssueType, extra: Partial<FieldIssue> = {}): FieldIssue => ({
  field: 'name',
  issue: 'the issue text',
  ...(type ? { type } : {}),
  ...extra,
});

/** The MALFORMED of each unreadable part, as the gateway builds it (src/common/to-domain-error.ts, libs/syncs cursor). */
const UNREADABLE: Record<(typeof ISSUE_TYPES.unreadable)[number], { label: string; field: FieldIssue }> = {
  json_invalid: {
    label: 'body not JSON',
    field: {
      field: 'body',
      issue: 'JSON decode error',
      loc: ['body', 5],
      type: 'json_invalid',
      ctx: { error: 'Unexpected end of JSON input' },
    },
  },
  path_invalid: {
    label: 'path not decodable',
    field: { field: 'path', issue: 'malformed percent-escape', loc: ['path'], type: 'path_invalid' },
  },
  invalid_cursor: { label: 'query parameter', field: field('invalid_cursor', { field: 'cursor', loc: ['query', 'cursor'] }) },
};

const ENTITIES = Object.keys(ENTITY_NAMES) as Entity[];

/**
 * Every error kind, one domain error each, in the order the snapshot lists them: every entity, reason and kind of field
 * issue of the vocabulary (libs/errors), so that a new one shows up here as a new line. A refusal without a reason has
 * the first of its code, so that one stands for it.
 */
function catalogue(): Case[] {
  const c = (label: string, error: unknown): Case => ({ label, error });
  return [
    c('MALFORMED', DomainError.malformed(MESSAGE)),
    ...Object.entries(UNREADABLE).map(([type, u]) =>
      c(`MALFORMED, ${u.label} (${type})`, new DomainError('MALFORMED', MESSAGE, { fields: [u.field] })),
    ),
    c('INVALID, no fields', DomainError.invalid([], MESSAGE)),
    c('INVALID, a field without a kind', DomainError.invalid([field()], MESSAGE)),
    ...Object.values(ISSUE_TYPES).map(([type]) => c(`INVALID, a field ${type}`, DomainError.invalid([field(type)], MESSAGE))),
    c(
      'INVALID, a field with its place, input and limits',
      DomainError.invalid(
        [field('greater_than_equal', { field: 'query.year', loc: ['query', 'year'], input: '1800', ctx: { ge: 1900 } })],
        MESSAGE,
      ),
    ),
    c('NOT_FOUND, no entity', new DomainError('NOT_FOUND', MESSAGE)),
    ...ENTITIES.map((entity) => c(`NOT_FOUND ${entity}`, DomainError.notFound(entity, MESSAGE))),
    c('CONFLICT, no entity', new DomainError('CONFLICT', MESSAGE)),
    ...ENTITIES.map((entity) => c(`CONFLICT ${entity}`, DomainError.conflict(entity, 'name', MESSAGE))),
    ...ISSUE_TYPES.refused_by_state.map((type) =>
      c(`CONFLICT, a field ${type}`, new DomainError('CONFLICT', MESSAGE, { entity: 'destination', fields: [field(type)] })),
    ),
    ...REASONS.UNAUTHENTICATED.map((reason) => c(`UNAUTHENTICATED ${reason}`, new DomainError('UNAUTHENTICATED', MESSAGE, { reason }))),
    ...REASONS.FORBIDDEN.map((reason) =>
      c(
        `FORBIDDEN ${reason}`,
        new DomainError('FORBIDDEN', MESSAGE, {
          reason,
          fields: reason === 'project_paused' ? [{ field: 'paused', issue: 'billing' }] : [],
        }),
      ),
    ),
    ...REASONS.RATE_LIMITED.map((reason) =>
      c(`RATE_LIMITED ${reason}, retry after 7 s`, new DomainError('RATE_LIMITED', MESSAGE, { reason, retryAfter: 7 })),
    ),
    c('PAYLOAD_TOO_LARGE', new DomainError('PAYLOAD_TOO_LARGE', MESSAGE)),
    c('UNSUPPORTED_MEDIA_TYPE', new DomainError('UNSUPPORTED_MEDIA_TYPE', MESSAGE)),
    c('METHOD_NOT_ALLOWED, GET and POST served', new DomainError('METHOD_NOT_ALLOWED', MESSAGE, { allow: ['GET', 'POST'] })),
    c('UNAVAILABLE, retry after 7 s', DomainError.unavailable(MESSAGE, 7)),
    c('a fault (not a domain error)', new Error('a fault the answer must not explain')),
  ];
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
