import { Global, Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express from 'express';
import { EVENT_IMPORT_MAX_BYTES } from '#events';
import { AdminTokenBeforeBody } from './admin-auth.guard.js';

const IMPORT_ROUTE = { path: 'admin/accounts/:slug/events', method: RequestMethod.POST };

/**
 * Event imports are JSON of up to 20 MiB, where the global parser stops at 1 MiB. This parser must run first, and
 * Nest mounts the middleware of global modules before every other module's: hence a global module of its own (the
 * global parser then finds the body read and leaves it). The admin token is checked before it (see AdminTokenBeforeBody).
 */
@Global()
@Module({})
export class AdminEventsBodyModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AdminTokenBeforeBody, express.json({ limit: EVENT_IMPORT_MAX_BYTES, strict: false })).forRoutes(IMPORT_ROUTE);
  }
}
