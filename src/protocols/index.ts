import { ADMIN, GATEWAY } from '../admin/admin.protocol.js';
import { ProtocolRegistry } from '../pipeline/protocol.js';
import { FORWARD_PLANNER } from './forward-planner/forward-planner.protocol.js';
import { PLANFIX } from './planfix/planfix.protocol.js';
import { PLANPOINT } from './planpoint/planpoint.protocol.js';
import { PLANSYNC } from './plansync/plansync.protocol.js';
import { REVERSE_ETL } from './reverse-etl/reverse-etl.protocol.js';

/**
 * Every protocol the gateway speaks, the Admin API included: a new one is a folder and a line here. Their paths are
 * disjoint, so the order only decides which module Nest loads first; a path none owns is the gateway's.
 */
export const PROTOCOLS = new ProtocolRegistry([ADMIN, PLANSYNC, FORWARD_PLANNER, PLANFIX, PLANPOINT, REVERSE_ETL], GATEWAY);
