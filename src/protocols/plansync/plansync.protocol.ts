import { type Protocol } from '../../pipeline/protocol.js';
import { PLANSYNC_ERRORS } from './plansync-errors.js';
import { PlanSyncModule } from './plansync.module.js';
import { PlanSyncTransport } from './plansync-transport.js';
import { PLANSYNC_SETTINGS } from './plansync-settings.js';

/** Its paths in any case, as Express routes them. */
const PATHS = /^\/(health\/?$|api\/v1(\/|$))/i;

/** PlanSync REST v1: /health and /api/v1 (docs/plansync.md). */
export const PLANSYNC: Protocol = {
  name: 'plansync',
  module: PlanSyncModule,
  owns: (path) => PATHS.test(path),
  errors: PLANSYNC_ERRORS,
  settings: PLANSYNC_SETTINGS,
  transport: PlanSyncTransport,
};
