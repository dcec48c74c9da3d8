import { type Protocol } from '../../pipeline/protocol.js';
import { PLANPOINT_ERRORS } from './planpoint-errors.js';
import { PlanpointModule } from './planpoint.module.js';
import { PLANPOINT_TRANSPORT } from './planpoint-transport.js';
import { PLANPOINT_SETTINGS } from './planpoint-settings.js';

const PATHS = /^\/api\/(users|projects|groups|enterprises|floors|units|leads)(\/|$)/i;

/** Planpoint API at /api/users|projects|groups|enterprises|floors|units|leads (docs/planpoint.md). */
export const PLANPOINT: Protocol = {
  name: 'planpoint',
  module: PlanpointModule,
  owns: (path) => PATHS.test(path),
  errors: PLANPOINT_ERRORS,
  settings: PLANPOINT_SETTINGS,
  transport: PLANPOINT_TRANSPORT,
};
