import { type Protocol } from '../../pipeline/protocol.js';
import { FORWARD_PLANNER_ERRORS } from './forward-planner-errors.js';
import { ForwardPlannerModule } from './forward-planner.module.js';
import { ForwardPlannerTransport } from './forward-planner-transport.js';
import { FORWARD_PLANNER_SETTINGS } from './forward-planner-settings.js';

/** Its paths in any case, as Express routes them (the transport then lower-cases them). */
const PATHS = /^\/api\/v2(\/|$)/i;

/** Forward Planner v2: /api/v2 (docs/forward-planner.md). */
export const FORWARD_PLANNER: Protocol = {
  name: 'forward-planner',
  module: ForwardPlannerModule,
  owns: (path) => PATHS.test(path),
  errors: FORWARD_PLANNER_ERRORS,
  settings: FORWARD_PLANNER_SETTINGS,
  transport: ForwardPlannerTransport,
};
