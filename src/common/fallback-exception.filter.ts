import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { type DomainError } from '#errors';
import { requestId } from '../logging/logging.module.js';
import { ADMIN_ERRORS } from '../admin/admin-errors.js';
import { PLANFIX_ERRORS } from '../protocols/planfix/planfix-errors.js';
import { PLANPOINT_ERRORS } from '../protocols/planpoint/planpoint-errors.js';
import { PLANSYNC_ERRORS } from '../protocols/plansync/plansync-errors.js';
import { FORWARD_PLANNER_ERRORS } from '../protocols/forward-planner/forward-planner-errors.js';
import { REVERSE_ETL_ERRORS } from '../protocols/reverse-etl/reverse-etl-errors.js';
import { protocolOfPath, type ProtocolName } from './protocol-of-path.js';
import { answerException, sendWireError, type ProtocolErrors } from './wire-error.js';

/**
 * Errors raised before routing (body parse, oversize body, unknown route) reach only global filters: this one
 * answers them in the format of the protocol that owns the path. A protocol module adds its row here.
 */
const ERRORS_BY_PROTOCOL: Record<ProtocolName, ProtocolErrors> = {
  admin: ADMIN_ERRORS,
  plansync: PLANSYNC_ERRORS,
  'forward-planner': FORWARD_PLANNER_ERRORS,
  planfix: PLANFIX_ERRORS,
  planpoint: PLANPOINT_ERRORS,
  'reverse-etl': REVERSE_ETL_ERRORS,
  gateway: ADMIN_ERRORS,
};

@Catch()
export class FallbackExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    answerException(exception, host, ERRORS_BY_PROTOCOL[protocolOfPath(req.path)]);
  }
}

/** A domain error answered outside Nest (the drain middleware of main.ts) in the format of the protocol of the path. */
export function answerInProtocolFormat(req: Request, res: Response, error: DomainError): void {
  const withId = req as Request & { id?: unknown };
  withId.id ??= requestId(req, res);
  sendWireError(res, ERRORS_BY_PROTOCOL[protocolOfPath(req.path)].render(error, req));
}
