import { Module } from '@nestjs/common';
import { DeadLettersService } from './dead-letters.service.js';
import { DestinationsService } from './destinations.service.js';
import { HistoryPruning } from './history-pruning.js';
import { RunEngine } from './run-engine.service.js';
import { RunsService } from './runs.service.js';
import { SourceSandbox } from './source-sandbox.service.js';
import { SyncsService } from './syncs.service.js';

/** Reverse-ETL domain: destinations, syncs, runs, the dead-letter queue, the source sandbox and the run engine. */
@Module({
  providers: [SourceSandbox, DestinationsService, RunsService, SyncsService, DeadLettersService, RunEngine, HistoryPruning],
  exports: [SourceSandbox, DestinationsService, RunsService, SyncsService, DeadLettersService, RunEngine],
})
export class SyncsModule {}
