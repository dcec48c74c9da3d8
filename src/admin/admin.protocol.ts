import { readJsonOrForm } from '../common/json-body.js';
import { type Protocol } from '../pipeline/protocol.js';
import { ADMIN_ERRORS } from './admin-errors.js';
import { AdminModule } from './admin.module.js';
import { AdminTransport } from './admin-transport.js';

/** Its paths in any case, as Express routes them. */
const PATHS = /^\/admin(\/|$)/i;

/** The operator's Admin API at /admin (docs/architecture.md, README). */
export const ADMIN: Protocol = {
  name: 'admin',
  module: AdminModule,
  owns: (path) => PATHS.test(path),
  errors: ADMIN_ERRORS,
  transport: AdminTransport,
};

/** Every path no protocol owns (`/metrics`, `/docs`, unknown paths): the usual bodies, errors in the operator's format. */
export const GATEWAY: Protocol = {
  name: 'gateway',
  owns: () => true,
  errors: ADMIN_ERRORS,
  transport: {
    async beforeRouting(req, res) {
      await readJsonOrForm(req, res);
      return 'continue';
    },
  },
};
