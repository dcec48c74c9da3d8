import { Module } from '@nestjs/common';
import { EventsModule } from '#events';
import { DemoSeedService } from './demo-seed.service.js';

@Module({ imports: [EventsModule], providers: [DemoSeedService], exports: [DemoSeedService] })
export class DemoModule {}
