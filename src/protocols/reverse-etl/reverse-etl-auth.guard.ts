import { applyDecorators, Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../docs/api-docs.js';
import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { IdentityService, PRINCIPAL_KEY, type Principal, type RequestWithPrincipal } from '#identity';
import { rateLimitHeaders } from '#limits';
import { Admission, Admits, type LimitAnswer } from '../../pipeline/admission.js';
import { REVERSE_ETL_POLICY } from './reverse-etl-settings.js';

function first(v: string | string[] | undefined): string | undefined {
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
}

/** Every authenticated answer carries the key's limit headers, 429 included. */
const KEY_LIMIT: LimitAnswer = {
  headers: rateLimitHeaders,
  refused: (d) =>
    new DomainError('RATE_LIMITED', `rate limit exceeded: ${d.tightest.limit} requests per minute`, { retryAfter: d.retryAfterSeconds }),
};

/**
 * The key (docs/reverse-etl.md): `Authorization: Bearer <key>` (any-case scheme; when present it alone decides), else
 * `X-Planasonix-Api-Key` or `X-Planasonix-Key`; `X-Organization-ID` ignored. Then the key's 120 per rolling minute
 * (every authenticated request counts, whatever its answer; 401s do not), then the role: admins only.
 */
@Injectable()
export class ReverseEtlAuthGuard implements CanActivate {
  constructor(
    private readonly identity: IdentityService,
    private readonly admission: Admission,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & RequestWithPrincipal>();
    const res = http.getResponse<Response>();
    const authorization = first(req.headers.authorization);
    let key: string | undefined;
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!m) throw DomainError.unauthenticated('invalid API key');
      key = m[1];
    } else {
      key = first(req.headers['x-planasonix-api-key']) ?? first(req.headers['x-planasonix-key']);
    }
    if (!key) throw new DomainError('UNAUTHENTICATED', 'missing API key', { reason: 'missing_credential' });
    let principal: Principal;
    try {
      principal = await this.identity.authenticateKey(key);
    } catch (e) {
      if (e instanceof DomainError && e.code === 'UNAUTHENTICATED') throw DomainError.unauthenticated('invalid API key');
      throw e;
    }
    req[PRINCIPAL_KEY] = principal;
    await this.admission.admit('reverse-etl', REVERSE_ETL_POLICY, `key:${principal.credentialId}`, res, KEY_LIMIT);
    if (principal.role !== 'admin') throw new DomainError('FORBIDDEN', 'reverse ETL is for admin users: a sync exports the whole account');
    return true;
  }
}

const REVERSE_ETL_ERRORS = ApiErrors([
  {
    status: 401,
    description: 'missing or invalid API key',
    example: {
      error: {
        code: 'unauthorized',
        message: 'an API key is required: Authorization: Bearer <key>',
        request_id: '5b922e82-6d5c-4d77-84c3-332724c9bacf',
      },
    },
  },
  {
    status: 403,
    description: "the key's user is not an admin",
    example: { error: { code: 'forbidden', message: 'reverse ETL is for admin users: a sync exports the whole account', request_id: '…' } },
  },
  {
    status: 422,
    description: 'invalid body or query',
    example: {
      error: {
        code: 'validation_error',
        message: '1 field is invalid',
        request_id: '…',
        details: [{ field: 'name', issue: 'missing', message: 'required' }],
      },
    },
  },
  {
    status: 429,
    description: '120 requests per rolling minute per key (Retry-After)',
    example: { error: { code: 'rate_limited', message: 'rate limit exceeded: 120 requests per minute', request_id: '…' } },
  },
]);

/** What every reverse-ETL controller carries: the key guard, the limit and role, the error format, the docs. */
export function ReverseEtlApi(): ClassDecorator {
  return applyDecorators(
    ApiTags('reverse-etl'),
    ApiBearerAuth('reverse-etl'),
    REVERSE_ETL_ERRORS,
    Admits({
      credential: 'API key: Bearer, X-Planasonix-Api-Key or X-Planasonix-Key',
      role: 'admin',
      limit: `${REVERSE_ETL_POLICY.name}: 120 per key, rolling minute`,
    }),
    UseGuards(ReverseEtlAuthGuard),
  );
}
