import { applyDecorators, Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../docs/api-docs.js';
import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { IdentityService, PRINCIPAL_KEY, principalSettings, type RequestWithPrincipal } from '#identity';
import { ietfRateLimitHeaders, legacyRateLimitHeaders, Limiter, plansyncPolicy, retryAfterHeader, type LimitPolicy } from '#limits';
import { MetricsService } from '../../metrics/metrics.service.js';

/** Plangate choice (docs/plansync.md): 300 answers 401 to one client IP in a minute, then 429 without hashing. */
const FAILED_AUTH_POLICY: LimitPolicy = {
  name: 'plansync-401',
  windows: [{ kind: 'sliding', name: 'plansync-401', limit: 300, seconds: 60 }],
};

/**
 * `X-API-Key` → Principal (401 otherwise), then the key's rolling-minute limit (429), in that order; every
 * authenticated answer carries the limit headers, 429 included.
 */
@Injectable()
export class PlanSyncAuthGuard implements CanActivate {
  /** Client IPs refused for failed attempts, until when (epoch ms): answered without touching the store. */
  private readonly blocked = new Map<string, number>();

  constructor(
    private readonly identity: IdentityService,
    private readonly limiter: Limiter,
    private readonly metrics: MetricsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & RequestWithPrincipal>();
    const res = http.getResponse<Response>();
    const ip = req.ip ?? 'unknown';
    const blockedUntil = this.blocked.get(ip);
    if (blockedUntil !== undefined) {
      if (blockedUntil > Date.now()) throw this.tooManyFailures(Math.ceil((blockedUntil - Date.now()) / 1000));
      this.blocked.delete(ip);
    }

    const header = req.headers['x-api-key'];
    const key = (Array.isArray(header) ? header[0] : header)?.trim();
    if (!key) {
      await this.failed(ip);
      throw DomainError.unauthenticated('Missing API key');
    }
    try {
      req[PRINCIPAL_KEY] = await this.identity.authenticateKey(key);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'UNAUTHENTICATED') throw e;
      await this.failed(ip);
      throw DomainError.unauthenticated('Invalid API key');
    }

    const principal = req[PRINCIPAL_KEY];
    const policy = plansyncPolicy(principalSettings(principal));
    const decision = await this.limiter.admit(policy, `key:${principal.credentialId}`);
    res.set({ ...legacyRateLimitHeaders(decision), ...ietfRateLimitHeaders(decision), ...retryAfterHeader(decision) });
    if (!decision.admitted) {
      this.metrics.limitRejections.inc({ protocol: 'plansync' });
      throw new DomainError('RATE_LIMITED', `Rate limit exceeded: ${decision.tightest.limit} requests per minute`, {
        retryAfter: decision.retryAfterSeconds,
      });
    }
    return true;
  }

  /** Counts a 401 for the client IP; past the limit the IP is refused with 429 until its window frees. */
  private async failed(ip: string): Promise<void> {
    const decision = await this.limiter.admit(FAILED_AUTH_POLICY, `ip:${ip}`);
    if (!decision.admitted) {
      this.blocked.set(ip, Date.now() + decision.retryAfterSeconds * 1000);
      this.metrics.limitRejections.inc({ protocol: 'plansync' });
      throw this.tooManyFailures(decision.retryAfterSeconds);
    }
  }

  private tooManyFailures(retryAfter: number): DomainError {
    return new DomainError('RATE_LIMITED', 'Too many failed authentication attempts', { retryAfter: Math.max(1, retryAfter) });
  }
}

const PLANSYNC_ERRORS = ApiErrors([
  { status: 401, description: 'missing or unknown X-API-Key', example: { detail: 'Missing API key' } },
  {
    status: 422,
    description: "FastAPI's item list",
    example: { detail: [{ type: 'missing', loc: ['query', 'year'], msg: 'Field required', input: null }] },
  },
  {
    status: 429,
    description: '60 requests per rolling minute per key (Retry-After)',
    example: { detail: 'Rate limit exceeded: 60 per 1 minute' },
  },
]);

/** What every PlanSync controller carries: the key guard and limit, the error format, the docs. */
export function PlanSyncApi(): ClassDecorator {
  return applyDecorators(ApiTags('plansync'), ApiSecurity('plansync'), PLANSYNC_ERRORS, UseGuards(PlanSyncAuthGuard));
}
