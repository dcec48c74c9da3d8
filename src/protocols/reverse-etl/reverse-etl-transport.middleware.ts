import { Global, Injectable, Module, RequestMethod, type MiddlewareConsumer, type NestMiddleware, type NestModule } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { DomainError, isDomainError } from '#errors';
import { sendWireError } from '../../common/wire-error.js';
import { toDomainError } from '../../common/to-domain-error.js';
import { REVERSE_ETL_ERRORS } from './reverse-etl-errors.js';
import { allowedMethods } from './reverse-etl-routes.js';

const JSON_TYPES = /^application\/(json|vnd\.api\+json)\s*(;|$)/i;
const parseJson = express.json({ limit: '1mb', strict: false, type: () => true });

/**
 * Before routing, for every reverse-ETL path (docs/reverse-etl.md): one trailing slash ignored; unknown paths 404 and
 * wrong methods 405 with `Allow`; `/api/runs*` and `/api/dlq*` reserved (404); bodies JSON whether typed
 * `application/json`, `application/vnd.api+json` or not at all (other types 415), at most 1 MiB (413), a JSON
 * object (else 400 `invalid_json`).
 */
@Injectable()
export class ReverseEtlTransportMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const q = req.url.indexOf('?');
      const path = q === -1 ? req.url : req.url.slice(0, q);
      const trimmed = path.replace(/(.)\/$/, '$1');
      if (trimmed !== path) req.url = trimmed + (q === -1 ? '' : req.url.slice(q));
      const methods = allowedMethods(trimmed);
      if (!methods.length) throw DomainError.notFound('route', `No endpoint ${trimmed}`);
      if (!methods.includes(req.method))
        throw new DomainError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here`, { allow: methods });
      if (req.method === 'POST' || req.method === 'PUT') await this.readBody(req, res);
      next();
    } catch (e) {
      const domain = isDomainError(e) ? e : toDomainError(e);
      if (!domain) return next(e);
      sendWireError(res, REVERSE_ETL_ERRORS.render(domain, req));
    }
  }

  private async readBody(req: Request, res: Response): Promise<void> {
    const type = req.headers['content-type'];
    if (type && !JSON_TYPES.test(type)) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send application/json');
    await new Promise<void>((resolve, reject) => parseJson(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
    const body: unknown = req.body;
    if (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0)) {
      req.body = {};
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new DomainError('MALFORMED', 'the body must be a JSON object', {
        fields: [{ field: 'body', issue: 'must be a JSON object', type: 'json_invalid' }],
      });
    }
  }
}

/**
 * Global only so that its middleware is mounted before the global body parsers (Nest mounts global modules'
 * middleware first): vnd.api+json and untyped bodies are parsed here, in the protocol's error format.
 */
@Global()
@Module({})
export class ReverseEtlTransportModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(ReverseEtlTransportMiddleware)
      .forRoutes(
        { path: 'api/reverse-etl', method: RequestMethod.ALL },
        { path: 'api/reverse-etl/{*path}', method: RequestMethod.ALL },
        { path: 'v1/api/reverse-etl', method: RequestMethod.ALL },
        { path: 'v1/api/reverse-etl/{*path}', method: RequestMethod.ALL },
        { path: 'api/runs', method: RequestMethod.ALL },
        { path: 'api/runs/{*path}', method: RequestMethod.ALL },
        { path: 'api/dlq', method: RequestMethod.ALL },
        { path: 'api/dlq/{*path}', method: RequestMethod.ALL },
        { path: 'v1/api/runs', method: RequestMethod.ALL },
        { path: 'v1/api/runs/{*path}', method: RequestMethod.ALL },
        { path: 'v1/api/dlq', method: RequestMethod.ALL },
        { path: 'v1/api/dlq/{*path}', method: RequestMethod.ALL },
      );
  }
}
