import { Module } from '@nestjs/common';
import { FilesController } from './files.controller.js';
import { HealthController } from './health.controller.js';
import { PlanSyncAuthGuard } from './plansync-auth.guard.js';
import { PlanSyncTransport } from './plansync-transport.js';
import { SpreadsheetsController } from './spreadsheets.controller.js';
import { TouchpointsController } from './touchpoints.controller.js';

/** PlanSync REST v1: /health and /api/v1 (docs/plansync.md). */
@Module({
  controllers: [HealthController, SpreadsheetsController, FilesController, TouchpointsController],
  providers: [PlanSyncAuthGuard, PlanSyncTransport],
})
export class PlanSyncModule {}
