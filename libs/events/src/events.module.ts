import { Module } from '@nestjs/common';
import { EventsService } from './events.service.js';
import { SessionsService } from './sessions.service.js';

/** The Forward Planner domain: the event feed and the sessions that read it (imported by whoever uses it). */
@Module({
  providers: [EventsService, SessionsService],
  exports: [EventsService, SessionsService],
})
export class EventsModule {}
