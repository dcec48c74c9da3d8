import { DomainError } from '#errors';

/**
 * What is wrong with an input, as `FieldIssue.type`: the protocols that publish finer codes than "invalid" read it;
 * the others show the message.
 */
export const ISSUE = {
  /** A required value is absent or empty. */
  missing: 'missing',
  /** Not of the right type, out of range, too long, not in the list, or given twice. */
  invalid: 'invalid_value',
  /** A well-formed value this context does not take (a status not allowed here, a parent loop, a fixed field). */
  notAllowed: 'not_allowed',
  /** A value another one depends on is missing (an end date for hasEndDate=1). */
  dependentMissing: 'dependent_missing',
  /** A feature Plangate does not offer (filters). */
  unsupported: 'unsupported',
  /** Two inputs that exclude each other. */
  conflicting: 'conflicting',
  /** More items asked for than allowed (a page over 100). */
  tooMany: 'too_many',
  /** The start is after the end. */
  startAfterEnd: 'start_after_end',
  /** Not an e-mail address. */
  email: 'invalid_email',
} as const;

export type IssueType = (typeof ISSUE)[keyof typeof ISSUE];

export function issue(type: IssueType, field: string, text: string): DomainError {
  return DomainError.invalid([{ field, issue: text, type }], `${field}: ${text}`);
}

export const missing = (field: string) => issue(ISSUE.missing, field, 'is required');
export const invalidValue = (field: string, text = 'has an invalid value') => issue(ISSUE.invalid, field, text);
export const notAllowed = (field: string, text = 'is not allowed here') => issue(ISSUE.notAllowed, field, text);

/** INVALID whose message is the whole sentence a client may be shown (`name must be a string of 1 to 255 characters`). */
export function invalidField(message: string, field = message.split(' ')[0]): DomainError {
  return DomainError.invalid([{ field, issue: message }], message);
}

/** Another account's record answers exactly like a missing one. */
export function notFound(entity: MissingRecord): DomainError {
  return DomainError.notFound(entity);
}

/** The records whose absence a caller is told apart (`task_project`: the project a task names). */
export type MissingRecord = 'project' | 'task' | 'task_project' | 'action' | 'user' | 'contact';

/** Users' numbers and `general` numbers are 4-byte integers: a bigger one names nothing (and must not reach SQL). */
export function fitsInt4(n: number | undefined): n is number {
  return n !== undefined && Number.isInteger(n) && n >= -2_147_483_648 && n <= 2_147_483_647;
}
