import { applyDecorators, Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../docs/api-docs.js';
import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { IdentityService, PRINCIPAL_KEY, type RequestWithPrincipal } from '#identity';
import { rateLimitHeaders, type LimitPolicy } from '#limits';
import { Admission, Admits, secondsUntil, type LimitAnswer, type Lockout } from '../../pipeline/admission.js';
import { plansyncPolicy } from './plansync-settings.js';

/** Plangate choice (docs/plansync.md): 300 answers 401 to one client IP in a minute, then 429 without hashing. */
const FAILED_AUTH_POLICY: LimitPolicy = {
  name: 'plansync-401',
  windows: [{ kind: 'sliding', name: 'plansync-401', limit: 300, seconds: 60 }],
};

function tooManyFailures(until: number): DomainError {
  return new DomainError('RATE_LIMITED', 'Too many failed authentication attempts', { retryAfter: secondsUntil(until) });
}

/** Every authenticated answer carries the key's limit headers, 429 included. */
const KEY_LIMIT: LimitAnswer = {
  headers: rateLimitHeaders,
  refused: (d) =>
    new DomainError('RATE_LIMITED', `Rate limit exceeded: ${d.tightest.limit} requests per minute`, { retryAfter: d.retryAfterSeconds }),
};

/** `X-API-Key` → Principal (401 otherwise), then the key's rolling-minute limit (429), in that order. */
@Injectable()
export class PlanSyncAuthGuard implements CanActivate {
  private readonly failures: Lockout;

  constructor(
    private readonly identity: IdentityService,
    private readonly admission: Admission,
  ) {
    this.failures = admission.lockout('plansync', FAILED_AUTH_POLICY, { lockWhenFull: false });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & RequestWithPrincipal>();
    const res = http.getResponse<Response>();
    const ip = `ip:${req.ip ?? 'unknown'}`;
    const locked = await this.failures.lockedUntil(ip);
    if (locked !== undefined) throw tooManyFailures(locked);

    const header = req.headers['x-api-key'];
    const key = (Array.isArray(header) ? header[0] : header)?.trim();
    if (!key) throw await this.failed(ip, 'Missing API key');
    try {
      req[PRINCIPAL_KEY] = await this.identity.authenticateKey(key);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'UNAUTHENTICATED') throw e;
      throw await this.failed(ip, 'Invalid API key');
    }
    const principal = req[PRINCIPAL_KEY];
    await this.admission.admit('plansync', plansyncPolicy(principal), `key:${principal.credentialId}`, res, KEY_LIMIT);
    return true;
  }

  /** The 401 of a failed attempt, or the 429 once the client IP's failures fill their window. */
  private async failed(ip: string, message: string): Promise<DomainError> {
    const counted = await this.failures.failed(ip);
    return counted.refused ? tooManyFailures(counted.lockedUntil!) : DomainError.unauthenticated(message);
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
  return applyDecorators(
    ApiTags('plansync'),
    ApiSecurity('plansync'),
    PLANSYNC_ERRORS,
    Admits({
      credential: 'X-API-Key',
      limit: `${FAILED_AUTH_POLICY.name} per client IP; plansync: requests_per_minute (60) per key, rolling`,
    }),
    UseGuards(PlanSyncAuthGuard),
  );
}
