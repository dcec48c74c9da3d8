import { Module } from '@nestjs/common';
import { EventsModule } from '#events';
import { BenchBaselineController } from './bench-baseline.controller.js';

@Module({ imports: [EventsModule], controllers: [BenchBaselineController] })
export class BenchBaselineModule {}
