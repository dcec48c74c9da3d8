import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express, { type RequestHandler } from 'express';
import { DomainError } from '#errors';
import { protocolOfPath } from '../common/protocol-of-path.js';

/** JSON bodies of the Admin API and the JSON protocols; larger imports set their own limits. */
export const JSON_BODY_LIMIT = '1mb';

/**
 * Levels of arrays and objects a JSON body may nest. JSON.parse takes any depth, but the code after it (class
 * transformers, validators, error renderers) recurses and overflows the stack on a few thousand levels: a 500.
 */
export const JSON_MAX_DEPTH = 64;

/** Whether a parsed body nests at most `max` levels (iterative: the check itself must not overflow). */
export function nestsWithin(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return false;
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return true;
}

const limitDepth: RequestHandler = (req, _res, next) =>
  next(
    nestsWithin(req.body, JSON_MAX_DEPTH)
      ? undefined
      : DomainError.malformed(`the request body nests deeper than ${JSON_MAX_DEPTH} levels`),
  );

/**
 * Body parsers as module middleware (JSON not strict: a body of `"x"` parses, and each protocol answers that it is
 * not an object in its own words), imported after the logging module: a body that cannot be parsed is still
 * logged with its request id, and its error reaches the fallback filter in the owning protocol's format.
 */
@Module({})
export class BodyParsingModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(
        exceptXml(express.json({ limit: JSON_BODY_LIMIT, strict: false })),
        exceptXml(express.urlencoded({ extended: false, limit: JSON_BODY_LIMIT })),
        exceptXml(limitDepth),
      )
      .forRoutes('{*path}');
  }
}

/**
 * The Planfix XML API and Planpoint read their own raw bodies whatever the Content-Type (Planfix clients send XML as
 * `application/json`, as a form, or with none; Planpoint's legacy samples send JSON with none): the JSON and form
 * parsers must leave their paths alone.
 */
const OWN_BODY_READERS = new Set(['planfix', 'planpoint']);

function exceptXml(parser: RequestHandler): RequestHandler {
  return (req, res, next) => (OWN_BODY_READERS.has(protocolOfPath(req.originalUrl.split('?')[0])) ? next() : parser(req, res, next));
}
