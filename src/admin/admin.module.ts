import { Module } from '@nestjs/common';
import { AdminAccountsController } from './admin-accounts.controller.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { AdminKeysController } from './admin-keys.controller.js';
import { AdminUsersController } from './admin-users.controller.js';

@Module({
  controllers: [AdminAccountsController, AdminUsersController, AdminKeysController],
  providers: [AdminAuthGuard],
})
export class AdminModule {}
