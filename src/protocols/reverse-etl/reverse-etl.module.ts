import { Module } from '@nestjs/common';
import { SyncsModule } from '#syncs';
import { DestinationsController } from './destinations.controller.js';
import { DlqController } from './dlq.controller.js';
import { ObjectsController } from './objects.controller.js';
import { ReverseEtlAuthGuard } from './reverse-etl-auth.guard.js';
import { RunsController } from './runs.controller.js';
import { SyncActionsController, SyncsController } from './syncs.controller.js';

/** Planasonix-style reverse ETL: /api/reverse-etl and /v1/api/reverse-etl (docs/reverse-etl.md). */
@Module({
  imports: [SyncsModule],
  controllers: [DestinationsController, ObjectsController, SyncsController, SyncActionsController, RunsController, DlqController],
  providers: [ReverseEtlAuthGuard],
})
export class ReverseEtlModule {}
