import { Module } from '@nestjs/common';
import { PlanfixAuthGuard } from './planfix-auth.guard.js';
import { PlanfixController } from './planfix.controller.js';
import { PlanfixMethods } from './planfix-methods.js';
import { XmlSessionsService } from './xml-sessions.service.js';

/** Planfix XML API v1 at /xml/ and /xml (docs/planfix.md). */
@Module({
  controllers: [PlanfixController],
  providers: [PlanfixAuthGuard, PlanfixMethods, XmlSessionsService],
})
export class PlanfixModule {}
