import { Module } from '@nestjs/common';
import { EventsService } from './events.service.js';

/** The event feed (imported by whoever uses it). */
@Module({
  providers: [EventsService],
  exports: [EventsService],
})
export class EventsModule {}
