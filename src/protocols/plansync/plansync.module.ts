import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { FilesController } from './files.controller.js';
import { HealthController } from './health.controller.js';
import { PlanSyncAuthGuard } from './plansync-auth.guard.js';
import { jsonWithoutContentType, PlanSyncTimeoutMiddleware } from './plansync-transport.middleware.js';
import { SpreadsheetsController } from './spreadsheets.controller.js';
import { TouchpointsController } from './touchpoints.controller.js';

/** PlanSync REST v1: /health and /api/v1 (docs/plansync.md). */
@Module({
  controllers: [HealthController, SpreadsheetsController, FilesController, TouchpointsController],
  providers: [PlanSyncAuthGuard],
})
export class PlanSyncModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(PlanSyncTimeoutMiddleware, jsonWithoutContentType).forRoutes({ path: 'api/v1/{*path}', method: RequestMethod.ALL });
  }
}
