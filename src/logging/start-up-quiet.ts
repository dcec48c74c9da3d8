import { type LoggerService } from '@nestjs/common';

/**
 * Nest's start-up lines: one per module initialised and one per route mapped (about 190). Useful when debugging the
 * wiring, noise otherwise: they go out at debug, so that the first screen of `npm start` is the banner.
 */
const START_UP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** The gateway's logger for Nest: `log` of a start-up context becomes `debug`; everything else as it was. */
export function withQuietStartUp(logger: LoggerService & { debug(message: unknown, ...params: unknown[]): void }): LoggerService {
  return {
    log: (message: unknown, ...params: unknown[]) => {
      const context = params[params.length - 1];
      if (typeof context === 'string' && START_UP_CONTEXTS.has(context)) logger.debug(message, ...params);
      else logger.log(message, ...params);
    },
    error: (message: unknown, ...params: unknown[]) => logger.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => logger.debug(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => logger.verbose?.(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => logger.fatal?.(message, ...params),
  };
}
