import { HttpException } from '@nestjs/common';
import { DomainError, isDomainError } from '#errors';

interface BodyParserError {
  type?: string;
  /** body-parser keeps the raw body of a JSON it could not parse. */
  body?: string;
  status?: number;
  expose?: boolean;
}

/**
 * Turns whatever reached a filter into a domain error, or undefined for a real fault (a 500). Covers errors raised
 * before routing: body-parser failures, Nest's own 404 for unknown routes, oversize bodies.
 */
export function toDomainError(exception: unknown): DomainError | undefined {
  if (isDomainError(exception)) return exception;
  // Nest's express adapter wraps body-parser and path-decoding errors in an HttpException; the cause says which.
  const cause = exception instanceof HttpException ? (exception.cause as BodyParserError | undefined) : undefined;
  if (cause instanceof URIError) {
    return new DomainError('MALFORMED', 'the request path has a malformed percent-escape', {
      fields: [{ field: 'path', issue: 'malformed percent-escape', loc: ['path'], type: 'path_invalid' }],
    });
  }
  const parser = (cause?.type ? cause : exception) as BodyParserError;
  switch (parser?.type) {
    case 'entity.parse.failed': {
      const position = /position (\d+)/.exec((parser as Error).message ?? '')?.[1];
      const offset = position === undefined ? (parser.body?.length ?? 0) : Number(position);
      return new DomainError('MALFORMED', 'the request body is not valid JSON', {
        fields: [
          {
            field: 'body',
            issue: 'JSON decode error',
            loc: ['body', offset],
            type: 'json_invalid',
            ctx: { error: (parser as Error).message },
          },
        ],
      });
    }
    case 'entity.too.large':
      return new DomainError('PAYLOAD_TOO_LARGE', 'the request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return DomainError.malformed('the request body has an unsupported encoding');
    case 'request.aborted':
      return DomainError.malformed('the request was aborted');
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const message = exception.message;
    if (status === 404) return new DomainError('NOT_FOUND', 'no such route', { entity: 'route' });
    if (status === 413) return new DomainError('PAYLOAD_TOO_LARGE', 'the request body is too large');
    if (status === 401) return DomainError.unauthenticated(message);
    if (status === 403) return new DomainError('FORBIDDEN', message);
    if (status === 400) return DomainError.malformed(message);
    if (status === 429) return new DomainError('RATE_LIMITED', message);
    if (status === 503) return DomainError.unavailable(message);
    if (status >= 400 && status < 500) return DomainError.invalid([], message);
  }
  if (typeof parser?.status === 'number' && parser.status >= 400 && parser.status < 500 && parser.expose) {
    return DomainError.malformed('the request could not be read');
  }
  return undefined;
}
