/**
 * The closed vocabulary of domain errors: what a refusal may name and why it happened. Every protocol maps these
 * unions with `Record<…>` tables or `switch` + `assertNever`, so that a new member fails to compile until each one
 * that tells members apart has decided how it answers it. Names are the domain's, never a protocol's.
 */

/**
 * What a NOT_FOUND or a CONFLICT names, with the words a message uses for it. `route` is the endpoint or operation a
 * request names, which the API does not have; every other entity is a record of the store.
 */
export const ENTITY_NAMES = {
  route: 'route',
  account: 'account',
  user: 'user',
  api_key: 'key',
  signing_key: 'signing key',
  session: 'session',
  refresh_token: 'refresh token',
  company: 'company',
  spreadsheet: 'spreadsheet',
  spreadsheet_table: 'spreadsheet table',
  touchpoint: 'touchpoint',
  file: 'file',
  event: 'event',
  project: 'project',
  project_member: 'project member',
  task: 'task',
  task_member: 'task member',
  task_project: 'task project',
  action: 'action',
  notified_user: 'notified user',
  contact: 'contact',
  user_group: 'user group',
  floor: 'floor',
  unit: 'unit',
  lead: 'lead',
  group: 'group',
  enterprise: 'enterprise',
  destination: 'destination',
  object: 'object',
  sync: 'sync',
  run: 'run',
  run_item: 'run item',
  dead_letter: 'dead letter',
} as const;

export type Entity = keyof typeof ENTITY_NAMES;

/**
 * Why a request was refused, for the codes whose refusals differ. The first reason of each code says no more than the
 * code itself: a refusal built without a reason has it.
 */
export const REASONS = {
  UNAUTHENTICATED: [
    /** A credential was given, but it names no active key, token or user. */
    'invalid_credential',
    /** No credential at all. */
    'missing_credential',
    /** A login's user name or password is wrong. */
    'wrong_password',
    /** A session id that is unknown, expired or revoked. */
    'invalid_session',
    /** The account's key was valid, but neither a session nor a user's key says who acts. */
    'no_user_credential',
    /** The request's signature is missing or wrong, where the account requires one. */
    'invalid_signature',
  ],
  FORBIDDEN: [
    'not_permitted',
    /** The account's plan has no API access. */
    'plan_without_api',
    /** The user's role does not allow it. */
    'insufficient_role',
    /** The project is paused (the first field's issue says why). */
    'project_paused',
    /** The project takes no form submissions. */
    'forms_disabled',
    /** The company is not among the user's assigned clients. */
    'company_not_assigned',
    /** Some units of a batch are not the caller's. */
    'units_not_accessible',
    /** The event belongs to products the caller has not. */
    'event_not_in_product',
    /** The event is under embargo for the caller. */
    'event_embargoed',
  ],
  RATE_LIMITED: [
    'too_many_requests',
    /** The daily quota is spent. */
    'daily_quota',
    /** Too many failed attempts from one client. */
    'failed_attempts',
    /** Too many wrong passwords for one user: its logins are locked for a while. */
    'login_lockout',
  ],
} as const;

export type ReasonCode = keyof typeof REASONS;
export type Reason<C extends ReasonCode = ReasonCode> = (typeof REASONS)[C][number];
export type UnauthenticatedReason = Reason<'UNAUTHENTICATED'>;
export type ForbiddenReason = Reason<'FORBIDDEN'>;
export type RateLimitedReason = Reason<'RATE_LIMITED'>;

/**
 * The types of field issue, by the kind of problem each is. A protocol that publishes a field's type shows it as it is
 * (`int_parsing`, `unknown_column`); one that tells problems apart by a code of its own maps the kind.
 */
export const ISSUE_TYPES = {
  /** A required value is absent or empty. */
  missing: ['missing', 'missing_required_field', 'missing_key'],
  /** Not of the right type or form, out of range, too long, not in the list, names nothing, or given twice. */
  invalid_value: [
    'invalid_value',
    'int_parsing',
    'float_parsing',
    'string_type',
    'greater_than_equal',
    'less_than_equal',
    'string_too_short',
    'string_too_long',
    'too_long',
    'enum',
    'value_error',
    'model_attributes_type',
    'invalid_url',
    'invalid_header',
    'invalid_schedule',
    'invalid_timezone',
    'invalid_cron',
    'invalid_watermark_column',
    'unknown_destination',
    'unknown_object',
    'unknown_field',
    'unknown_column',
    'unknown_model',
    'duplicate_destination',
    'duplicate_column',
    'syntax_error',
    'sql_error',
    'connection_failed',
  ],
  /** A well-formed value this context does not take (a status not allowed here, an address or SQL construct refused). */
  not_allowed: [
    'not_allowed',
    'not_writable',
    'unsupported_mode',
    'forbidden_address',
    'not_a_select',
    'multiple_statements',
    'forbidden_relation',
    'forbidden_function',
    'forbidden_construct',
  ],
  /** A value another one depends on is missing (an end date for hasEndDate=1). */
  dependent_missing: ['dependent_missing'],
  /** A feature that is not offered (filters, SQL sources where they are off). */
  unsupported: ['unsupported', 'sql_sources_unavailable'],
  /** Two inputs that exclude each other, or two spellings of one input that disagree. */
  conflicting: ['conflicting', 'duplicate_field'],
  /** More items asked for than allowed (a page over 100). */
  too_many: ['too_many'],
  /** The start is after the end. */
  start_after_end: ['start_after_end'],
  /** Not an e-mail address. */
  invalid_email: ['invalid_email'],
  /** A part of the request that cannot be read at all (MALFORMED): the body, the path, a cursor. */
  unreadable: ['json_invalid', 'path_invalid', 'invalid_cursor'],
  /** The record's state refuses the change (CONFLICT): still in use, finished, over a quota. */
  refused_by_state: ['destination_in_use', 'project_in_use', 'run_finished', 'quota_exceeded'],
} as const;

export type IssueKind = keyof typeof ISSUE_TYPES;
export type IssueType = (typeof ISSUE_TYPES)[IssueKind][number];

const KIND_OF_TYPE = new Map<IssueType, IssueKind>(
  Object.entries(ISSUE_TYPES).flatMap(([kind, types]) => types.map((type): [IssueType, IssueKind] => [type, kind as IssueKind])),
);

/** The kind of a field issue's type; a problem without a type (a store constraint) is an invalid value. */
export function issueKind(type: IssueType | undefined): IssueKind {
  return type === undefined ? 'invalid_value' : KIND_OF_TYPE.get(type)!;
}
