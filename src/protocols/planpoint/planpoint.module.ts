import { Module } from '@nestjs/common';
import { PlanpointAuthGuard } from './planpoint-auth.guard.js';
import { PlanpointEnterprisesController } from './planpoint-enterprises.controller.js';
import { PlanpointFloorsController } from './planpoint-floors.controller.js';
import { PlanpointGroupsController } from './planpoint-groups.controller.js';
import { PlanpointLeadsController } from './planpoint-leads.controller.js';
import { PlanpointLoginController } from './planpoint-login.controller.js';
import { PlanpointProjectsController } from './planpoint-projects.controller.js';
import { PlanpointTokens } from './planpoint-tokens.js';
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
export class PlanpointModule {}
