import { type ArgumentsHost } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { type DomainError } from '#errors';
import { requestId } from '../logging/logging.module.js';
import { toDomainError } from './to-domain-error.js';

/** One error as a protocol puts it on the wire. */
export interface WireError {
  status: number;
  headers: Record<string, string>;
  /** An object is sent as JSON; a string as is, with the protocol's content type. */
  body: unknown;
  contentType?: string;
}

/** How one protocol answers errors: every domain error, and a fault it must not explain. */
export interface ProtocolErrors {
  render(e: DomainError, req: Request): WireError;
  internal(req: Request): WireError;
}

export function sendWireError(res: Response, wire: WireError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(wire.headers)) res.setHeader(name, value);
  res.status(wire.status);
  if (typeof wire.body === 'string') {
    res.type(wire.contentType ?? 'text/plain; charset=utf-8').send(wire.body);
  } else {
    res.type(wire.contentType ?? 'application/json; charset=utf-8').send(JSON.stringify(wire.body));
  }
}

/**
 * The body of the pipeline's exception filter, with the renderer of the protocol that owns the path: a domain error (or a pre-routing error that means one) is rendered
 * in the protocol's format; anything else is a fault: a 500 in the protocol's format, its stack left on the response
 * for the request log line, never in the body.
 */
export function answerException(exception: unknown, host: ArgumentsHost, errors: ProtocolErrors): void {
  const ctx = host.switchToHttp();
  const req = ctx.getRequest<Request>();
  const res = ctx.getResponse<Response & { err?: unknown }>();
  // A path that cannot be decoded fails Express's route matching before the logger's middleware gives the request
  // its id: give it one here, so that the answer still carries X-Request-Id (and the formats that quote it).
  const withId = req as Request & { id?: unknown };
  withId.id ??= requestId(req, res);
  const domain = toDomainError(exception);
  if (domain) {
    sendWireError(res, errors.render(domain, req));
    return;
  }
  res.err = exception instanceof Error ? exception : new Error(String(exception));
  sendWireError(res, errors.internal(req));
}
