import { type Protocol } from '../../pipeline/protocol.js';
import { PLANFIX_ERRORS } from './planfix-errors.js';
import { PlanfixModule } from './planfix.module.js';
import { readXmlBody } from './wire/xml-body.js';
import { PLANFIX_SETTINGS, planfixQuota } from './planfix-settings.js';

/** Its paths in any case, as Express routes them; the endpoint itself is `/xml` or `/xml/`. */
const PATHS = /^\/xml(\/|$)/i;
const ENDPOINT = /^\/xml\/?$/i;

/** Planfix XML API v1 at /xml/ and /xml (docs/planfix.md). */
export const PLANFIX: Protocol = {
  name: 'planfix',
  module: PlanfixModule,
  owns: (path) => PATHS.test(path),
  errors: PLANFIX_ERRORS,
  settings: PLANFIX_SETTINGS,
  accountQuota: planfixQuota,
  transport: {
    /** The body is raw XML whatever the method and Content-Type, read for the guard to parse; other paths 404. */
    async beforeRouting(req, res) {
      if (ENDPOINT.test(req.path)) req.body = await readXmlBody(req, res);
      return 'continue';
    },
  },
};
