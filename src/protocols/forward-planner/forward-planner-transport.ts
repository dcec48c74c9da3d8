import { Injectable } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { readJsonOrForm } from '../../common/json-body.js';
import { type ProtocolTransport } from '../../pipeline/protocol.js';
import { ForwardPlannerLimits } from './forward-planner-limits.js';
import { allowedMethods, serves } from './forward-planner-routes.js';
import { RAW_BODY_KEY, readRawBody, type RequestWithRawBody } from './wire/fp-auth-body.js';

/**
 * Before routing, for every /api/v2 request (docs/forward-planner.md): the path is read in any case with one trailing
 * slash tolerated; an unknown path (404) or a known one with another method (405) is refused here, counted in the
 * client IP's public bucket, whatever the credentials; the body of auth and renew is read raw (≤ 16 KiB, JSON or
 * form) for the controller to check in the spec's order.
 */
@Injectable()
export class ForwardPlannerTransport implements ProtocolTransport {
  constructor(private readonly limits: ForwardPlannerLimits) {}

  async beforeRouting(req: Request & RequestWithRawBody, res: Response): Promise<'continue'> {
    const q = req.url.indexOf('?');
    const path = (q === -1 ? req.url : req.url.slice(0, q)).toLowerCase().replace(/(.)\/$/, '$1');
    req.url = path + (q === -1 ? '' : req.url.slice(q));
    const methods = allowedMethods(path);
    if (!serves(methods, req.method)) {
      await this.limits.public(req, res);
      throw methods.length
        ? new DomainError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}`, { allow: methods })
        : DomainError.notFound('route', `No endpoint ${path}`);
    }
    if (req.method === 'POST') req[RAW_BODY_KEY] = await readRawBody(req);
    else await readJsonOrForm(req, res);
    return 'continue';
  }
}
