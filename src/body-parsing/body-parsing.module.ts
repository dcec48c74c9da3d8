import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express, { type RequestHandler } from 'express';
import { protocolOfPath } from '../common/protocol-of-path.js';

/** JSON bodies of the Admin API and the JSON protocols; larger imports set their own limits. */
export const JSON_BODY_LIMIT = '1mb';

/**
 * Body parsers as module middleware (JSON not strict: a body of `"x"` parses, and each protocol answers that it is
 * not an object in its own words), imported after the logging module: a body that cannot be parsed is still
 * logged with its request id, and its error reaches the fallback filter in the owning protocol's format.
 */
@Module({})
export class BodyParsingModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(exceptXml(express.json({ limit: JSON_BODY_LIMIT, strict: false })), exceptXml(express.urlencoded({ extended: false, limit: JSON_BODY_LIMIT })))
      .forRoutes('{*path}');
  }
}

/**
 * The Planfix XML API reads its own raw body whatever the Content-Type (its clients send XML as `application/json`,
 * as a form, or with none): the JSON and form parsers must leave its paths alone.
 */
function exceptXml(parser: RequestHandler): RequestHandler {
  return (req, res, next) => (protocolOfPath(req.originalUrl.split('?')[0]) === 'planfix' ? next() : parser(req, res, next));
}
