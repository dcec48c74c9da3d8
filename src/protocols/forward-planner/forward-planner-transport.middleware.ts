import { Global, Injectable, Module, RequestMethod, type MiddlewareConsumer, type NestMiddleware, type NestModule } from '@nestjs/common';
import { type NextFunction, type Request, type Response } from 'express';
import { DomainError, isDomainError } from '#errors';
import { sendWireError } from '../../common/wire-error.js';
import { FORWARD_PLANNER_ERRORS } from './forward-planner-errors.js';
import { ForwardPlannerLimits } from './forward-planner-limits.js';
import { allowedMethods, serves } from './forward-planner-routes.js';
import { RAW_BODY_KEY, readRawBody, type RequestWithRawBody } from './wire/fp-auth-body.js';

/**
 * Before routing, for every /api/v2 request (docs/forward-planner.md): the path is read in any case with one trailing
 * slash tolerated; an unknown path (404) or a known one with another method (405) is answered here, counted in the
 * client IP's public bucket, whatever the credentials; the body of auth and renew is read raw (≤ 16 KiB, JSON or
 * form) for the controller to check in the spec's order.
 */
@Injectable()
export class ForwardPlannerTransportMiddleware implements NestMiddleware {
  constructor(private readonly limits: ForwardPlannerLimits) {}

  async use(req: Request & RequestWithRawBody, res: Response, next: NextFunction): Promise<void> {
    const q = req.url.indexOf('?');
    const path = (q === -1 ? req.url : req.url.slice(0, q)).toLowerCase().replace(/(.)\/$/, '$1');
    req.url = path + (q === -1 ? '' : req.url.slice(q));
    try {
      const methods = allowedMethods(path);
      if (!serves(methods, req.method)) {
        await this.limits.public(req, res);
        throw methods.length
          ? new DomainError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}`, { allow: methods })
          : DomainError.notFound('route', `No endpoint ${path}`);
      }
      // Read here, before the global parsers: they find the stream consumed and leave it alone.
      if (req.method === 'POST') req[RAW_BODY_KEY] = await readRawBody(req);
      next();
    } catch (e) {
      if (!isDomainError(e)) return next(e);
      sendWireError(res, FORWARD_PLANNER_ERRORS.render(e, req));
    }
  }
}

/**
 * Global only so that its middleware is mounted before the global body parsers (Nest mounts the middleware of
 * global modules first): the auth body must reach the controller unparsed, whatever its size or type.
 */
@Global()
@Module({ providers: [ForwardPlannerLimits], exports: [ForwardPlannerLimits] })
export class ForwardPlannerTransportModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(ForwardPlannerTransportMiddleware)
      .forRoutes({ path: 'api/v2', method: RequestMethod.ALL }, { path: 'api/v2/{*path}', method: RequestMethod.ALL });
  }
}
