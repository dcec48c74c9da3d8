import { type Protocol } from '../../pipeline/protocol.js';
import { REVERSE_ETL_ERRORS } from './reverse-etl-errors.js';
import { ReverseEtlModule } from './reverse-etl.module.js';
import { REVERSE_ETL_TRANSPORT } from './reverse-etl-transport.js';
import { REVERSE_ETL_SETTINGS } from './reverse-etl-settings.js';

/** Its mount and the paths it reserves (`/api/runs*`, `/api/dlq*`: 404 in its format), with or without `/v1`. */
const PATHS = /^(\/v1)?\/api\/(reverse-etl|dlq|runs)(\/|$)/i;

/** Planasonix-style reverse ETL: /api/reverse-etl and /v1/api/reverse-etl (docs/reverse-etl.md). */
export const REVERSE_ETL: Protocol = {
  name: 'reverse-etl',
  module: ReverseEtlModule,
  owns: (path) => PATHS.test(path),
  errors: REVERSE_ETL_ERRORS,
  settings: REVERSE_ETL_SETTINGS,
  transport: REVERSE_ETL_TRANSPORT,
};
