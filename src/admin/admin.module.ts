import { Module } from '@nestjs/common';
import { EventsModule } from '#events';
import { SyncsModule } from '#syncs';
import { AdminAccountsController } from './admin-accounts.controller.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { AdminEventsController } from './admin-events.controller.js';
import { AdminKeysController } from './admin-keys.controller.js';
import { AdminPlanfixController } from './admin-planfix.controller.js';
import { AdminPlanpointController } from './admin-planpoint.controller.js';
import { AdminReverseEtlController } from './admin-reverse-etl.controller.js';
import { AdminSpreadsheetsController } from './admin-spreadsheets.controller.js';
import { AdminTransport } from './admin-transport.js';
import { AdminUsersController } from './admin-users.controller.js';

@Module({
  imports: [EventsModule, SyncsModule],
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
  providers: [AdminAuthGuard, AdminTransport],
})
export class AdminModule {}
