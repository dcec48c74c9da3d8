import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express from 'express';

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
      .apply(express.json({ limit: JSON_BODY_LIMIT, strict: false }), express.urlencoded({ extended: false, limit: JSON_BODY_LIMIT }))
      .forRoutes('{*path}');
  }
}
