import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { PlanpointAuthGuard } from './planpoint-auth.guard.js';
import { PlanpointEnterprisesController } from './planpoint-enterprises.controller.js';
import { PlanpointFloorsController } from './planpoint-floors.controller.js';
import { PlanpointGroupsController } from './planpoint-groups.controller.js';
import { PlanpointLeadsController } from './planpoint-leads.controller.js';
import { PlanpointLoginController } from './planpoint-login.controller.js';
import { PlanpointProjectsController } from './planpoint-projects.controller.js';
import { PlanpointTokens } from './planpoint-tokens.js';
import { planpointTransport } from './planpoint-transport.middleware.js';
import { PlanpointUnitsController } from './planpoint-units.controller.js';

/** Planpoint API at /api/users|projects|groups|enterprises|floors|units|leads (docs/planpoint.md). */
@Module({
  controllers: [
    PlanpointLoginController,
    PlanpointProjectsController,
    PlanpointGroupsController,
    PlanpointEnterprisesController,
    PlanpointFloorsController,
    PlanpointUnitsController,
    PlanpointLeadsController,
  ],
  providers: [PlanpointAuthGuard, PlanpointTokens],
})
export class PlanpointModule implements NestModule {
  /** Routes, methods and the JSON body before any guard (the middleware passes other protocols' paths through). */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(planpointTransport).forRoutes({ path: 'api/{*path}', method: RequestMethod.ALL });
  }
}
