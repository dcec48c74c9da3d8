import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express from 'express';
import { EventsModule } from '#events';
import { IMPORT_LIMITS } from '#planning';
import { SyncsModule } from '#syncs';
import { AdminAccountsController } from './admin-accounts.controller.js';
import { AdminAuthGuard, AdminTokenBeforeBody } from './admin-auth.guard.js';
import { AdminEventsBodyModule } from './admin-events-body.module.js';
import { AdminEventsController } from './admin-events.controller.js';
import { AdminKeysController } from './admin-keys.controller.js';
import { AdminPlanfixController } from './admin-planfix.controller.js';
import { AdminPlanpointController } from './admin-planpoint.controller.js';
import { AdminReverseEtlController } from './admin-reverse-etl.controller.js';
import { AdminSpreadsheetsController } from './admin-spreadsheets.controller.js';
import { AdminUsersController } from './admin-users.controller.js';

@Module({
  imports: [EventsModule, AdminEventsBodyModule, SyncsModule],
  controllers: [
    AdminAccountsController,
    AdminUsersController,
    AdminKeysController,
    AdminSpreadsheetsController,
    AdminEventsController,
    AdminPlanfixController,
    AdminPlanpointController,
    AdminReverseEtlController,
  ],
  providers: [AdminAuthGuard],
})
export class AdminModule implements NestModule {
  /** Spreadsheet imports may be CSV bodies of up to 50 MB (the JSON limit elsewhere is 1 MiB): read only with the admin token. */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AdminTokenBeforeBody, express.raw({ type: ['text/csv', 'application/csv', 'text/plain'], limit: IMPORT_LIMITS.maxBytes }))
      .forRoutes({ path: 'admin/accounts/:slug/spreadsheets/:sheet_name/import', method: RequestMethod.POST });
  }
}
