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
  /** A machine-readable kind (pydantic's `missing`, `int_parsing`, ...), for protocols that publish one. */
  type?: string;
  /** Where the value was: `['query', 'year']`, `['body', 'company_name']`. */
  loc?: (string | number)[];
  /** The constraint's parameters (`{ ge: 1900 }`). */
  ctx?: Record<string, unknown>;
}

export interface DomainErrorOptions {
  fields?: FieldIssue[];
  /** Seconds until a retry can succeed (RATE_LIMITED, UNAVAILABLE). */
  retryAfter?: number;
  /** What was not found or conflicted: `account`, `user`, `key`, ... */
  entity?: string;
  /** METHOD_NOT_ALLOWED: the methods the path does serve. */
  allow?: string[];
  cause?: unknown;
}

export class DomainError extends Error {
  readonly fields: FieldIssue[];
  readonly retryAfter?: number;
  readonly entity?: string;
  readonly allow?: string[];

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.fields = options.fields ?? [];
    this.retryAfter = options.retryAfter;
    this.entity = options.entity;
    this.allow = options.allow;
  }

  /** The request body could not be parsed at all (syntax, encoding). */
  static malformed(message: string): DomainError {
    return new DomainError('MALFORMED', message);
  }

  static notFound(entity: string, message = `${entity} not found`): DomainError {
    return new DomainError('NOT_FOUND', message, { entity });
  }

  static invalid(fields: FieldIssue[], message = 'invalid input'): DomainError {
    return new DomainError('INVALID', message, { fields });
  }

  static conflict(entity: string, field: string, message: string): DomainError {
    return new DomainError('CONFLICT', message, { entity, fields: [{ field, issue: 'already exists' }] });
  }

  static unauthenticated(message = 'invalid or missing credentials'): DomainError {
    return new DomainError('UNAUTHENTICATED', message);
  }

  static unavailable(message = 'the store is unavailable', retryAfter = 5): DomainError {
    return new DomainError('UNAVAILABLE', message, { retryAfter });
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}

/** Ends every `switch` over a union, so that a new member is a compile error until it is handled. */
export function assertNever(value: never): never {
  throw new Error(`unhandled value: ${String(value)}`);
}
