import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { PlanfixAuthGuard } from './planfix-auth.guard.js';
import { PlanfixController } from './planfix.controller.js';
import { PlanfixMethods } from './planfix-methods.js';
import { readXmlBody } from './wire/xml-body.js';
import { XmlSessionsService } from './xml-sessions.service.js';

/** Planfix XML API v1 at /xml/ and /xml (docs/planfix.md). */
@Module({
  controllers: [PlanfixController],
  providers: [PlanfixAuthGuard, PlanfixMethods, XmlSessionsService],
})
export class PlanfixModule implements NestModule {
  /** The body is raw XML whatever the method and Content-Type; the app-wide parsers skip these paths. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(readXmlBody).forRoutes({ path: 'xml', method: RequestMethod.ALL }, { path: 'xml/', method: RequestMethod.ALL });
  }
}
