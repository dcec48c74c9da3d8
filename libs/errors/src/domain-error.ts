import { ENTITY_NAMES, REASONS, type Entity, type IssueType, type Reason, type ReasonCode } from './error-vocabulary.js';

/**
 * The only error shared code throws. Each protocol maps a code to its own status and body
 * (`<protocol>-errors.ts`), so one meaning has five renderings and a new code fails to compile until
 * every protocol answers it.
 */
export type DomainErrorCode =
  | 'MALFORMED'
  | 'NOT_FOUND'
  | 'INVALID'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAVAILABLE';

export interface FieldIssue {
  field: string;
  issue: string;
  /** The offending value, when it is safe and useful to echo it back. */
  input?: unknown;
  /** What kind of problem it is, for protocols that publish one or tell kinds apart (error-vocabulary.ts). */
  type?: IssueType;
  /** Where the value was: `['query', 'year']`, `['body', 'company_name']`. */
  loc?: (string | number)[];
  /** The constraint's parameters (`{ ge: 1900 }`). */
  ctx?: Record<string, unknown>;
}

/** The entity a code names: only a NOT_FOUND or a CONFLICT says what. */
type EntityOf<C extends DomainErrorCode> = C extends 'NOT_FOUND' | 'CONFLICT' ? Entity : never;
/** The reasons of a code: only the codes in REASONS have any. */
type ReasonOf<C extends DomainErrorCode> = C extends ReasonCode ? Reason<C> : never;

export interface DomainErrorOptions<C extends DomainErrorCode = DomainErrorCode> {
  fields?: FieldIssue[];
  /** Seconds until a retry can succeed (RATE_LIMITED, UNAVAILABLE). */
  retryAfter?: number;
  /** NOT_FOUND, CONFLICT: what was not found or conflicted. */
  entity?: EntityOf<C>;
  /** UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED: why; without one, the first reason of the code (it says no more). */
  reason?: ReasonOf<C>;
  /** METHOD_NOT_ALLOWED: the methods the path does serve. */
  allow?: string[];
  cause?: unknown;
}

function hasReasons(code: DomainErrorCode): code is ReasonCode {
  return code in REASONS;
}

/**
 * A domain error of one code, whose `entity` and `reason` are typed by that code. Code takes it as `DomainError`,
 * the union over the codes, so that a `switch (e.code)` narrows them.
 */
export class DomainErrorOf<C extends DomainErrorCode> extends Error {
  readonly fields: FieldIssue[];
  readonly retryAfter?: number;
  readonly entity?: EntityOf<C>;
  readonly reason: C extends ReasonCode ? Reason<C> : undefined;
  readonly allow?: string[];

  constructor(
    readonly code: C,
    message: string,
    options: DomainErrorOptions<C> = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.fields = options.fields ?? [];
    this.retryAfter = options.retryAfter;
    this.entity = options.entity;
    this.reason = (options.reason ?? (hasReasons(code) ? REASONS[code][0] : undefined)) as this['reason'];
    this.allow = options.allow;
  }

  /** The request body could not be parsed at all (syntax, encoding). */
  static malformed(message: string): DomainErrorOf<'MALFORMED'> {
    return new DomainErrorOf('MALFORMED', message);
  }

  static notFound(entity: Entity, message = `${ENTITY_NAMES[entity]} not found`): DomainErrorOf<'NOT_FOUND'> {
    return new DomainErrorOf('NOT_FOUND', message, { entity });
  }

  static invalid(fields: FieldIssue[], message = 'invalid input'): DomainErrorOf<'INVALID'> {
    return new DomainErrorOf('INVALID', message, { fields });
  }

  /** A unique value taken; `entity` undefined where the store's table is none the vocabulary names. */
  static conflict(entity: Entity | undefined, field: string, message: string): DomainErrorOf<'CONFLICT'> {
    return new DomainErrorOf('CONFLICT', message, { entity, fields: [{ field, issue: 'already exists' }] });
  }

  static unauthenticated(message = 'invalid or missing credentials'): DomainErrorOf<'UNAUTHENTICATED'> {
    return new DomainErrorOf('UNAUTHENTICATED', message);
  }

  static unavailable(message = 'the store is unavailable', retryAfter = 5): DomainErrorOf<'UNAVAILABLE'> {
    return new DomainErrorOf('UNAVAILABLE', message, { retryAfter });
  }
}

/** Any domain error: a `switch (e.code)` narrows it to the code's entity and reason. */
export type DomainError<C extends DomainErrorCode = DomainErrorCode> = C extends DomainErrorCode ? DomainErrorOf<C> : never;

/** The class, typed so that `new` with a code of any code (a table over every code) and `instanceof` give the union. */
type DomainErrorConstructor = Omit<typeof DomainErrorOf, 'prototype'> & {
  new <C extends DomainErrorCode>(code: C, message: string, options?: DomainErrorOptions<C>): DomainError<C>;
  readonly prototype: DomainError;
};
export const DomainError = DomainErrorOf as DomainErrorConstructor;

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}

/** Ends every `switch` over a union, so that a new member is a compile error until it is handled. */
export function assertNever(value: never): never {
  throw new Error(`unhandled value: ${String(value)}`);
}
