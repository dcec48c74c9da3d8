import { applyDecorators, Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../docs/api-docs.js';
import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { PRINCIPAL_KEY, type Principal, type RequestWithPrincipal } from '#identity';
import { Admits } from '../../pipeline/admission.js';
import { ForwardPlannerLimits } from './forward-planner-limits.js';
import { ForwardPlannerTokens, invalidToken } from './forward-planner-tokens.js';
import { SessionsService } from './sessions.service.js';
import { FORWARD_PLANNER_SETTINGS } from './forward-planner-settings.js';

export function apiAccessDenied(): DomainError {
  return new DomainError('FORBIDDEN', 'Forward Planner API access is not enabled for this account');
}

/** `api_access` (docs/forward-planner.md), as of the caller's cached principal. */
export function assertApiAccess(p: Principal): void {
  if (!FORWARD_PLANNER_SETTINGS.of(p).api_access) throw apiAccessDenied();
}

/**
 * `Authorization: Bearer <access token>` → Principal (docs/forward-planner.md): the JWT, then its family (user,
 * account and key still active) → else 401, counted in the client IP's public bucket; then the account's limit
 * (every request with a valid token counts, whatever its outcome) → 429; then `api_access` → 403.
 */
@Injectable()
export class ForwardPlannerAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: ForwardPlannerTokens,
    private readonly sessions: SessionsService,
    private readonly limits: ForwardPlannerLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & RequestWithPrincipal>();
    const res = http.getResponse<Response>();
    let principal: Principal;
    try {
      principal = await this.authenticate(req.headers.authorization);
    } catch (e) {
      if (e instanceof DomainError && e.code === 'UNAUTHENTICATED') await this.limits.public(req, res);
      throw e;
    }
    await this.limits.account(res, principal);
    assertApiAccess(principal);
    req[PRINCIPAL_KEY] = principal;
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal> {
    if (!header || !header.trim()) throw DomainError.unauthenticated('Missing access token');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw invalidToken();
    const claims = this.tokens.verify(m[1]);
    const principal = await this.sessions.principalOfFamily(claims.fam);
    if (String(principal.userNumber) !== claims.sub) throw invalidToken();
    return principal;
  }
}

const FORWARD_PLANNER_ERRORS = ApiErrors([
  {
    status: 401,
    description: 'missing, expired or revoked token; wrong credentials',
    example: { error: 'Unauthorised', message: 'Missing access token' },
  },
  {
    status: 429,
    description: 'per-minute, hour or day limit (Retry-After)',
    example: { error: 'Throttle Limit Reached', message: 'Too many requests' },
  },
]);

/** What every Forward Planner data controller carries: the bearer guard and limits, the error format, the docs. */
export function ForwardPlannerApi(): ClassDecorator {
  return applyDecorators(
    ApiTags('forward-planner'),
    ApiBearerAuth('forward-planner'),
    FORWARD_PLANNER_ERRORS,
    Admits({
      credential: 'Bearer access token',
      role: 'setting api_access',
      limit: 'fp: limit_per_minute, _per_hour, _per_day (500, 3,000, 10,000) per account; 401s in fp-public per client IP',
    }),
    UseGuards(ForwardPlannerAuthGuard),
  );
}

/** The login controller: no bearer (it issues them), the same error format. */
export function ForwardPlannerLoginApi(): ClassDecorator {
  return applyDecorators(ApiTags('forward-planner'), FORWARD_PLANNER_ERRORS);
}
