import { applyDecorators, Inject, Injectable, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../docs/api-docs.js';
import { type Request, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError } from '#errors';
import { IdentityService, PRINCIPAL_KEY, type Principal, type RequestWithPrincipal } from '#identity';
import { rateLimitHeaders, type LimitPolicy } from '#limits';
import { type UserRole } from '#store';
import { Admission, Admits, secondsUntil, type LimitAnswer, type Lockout, type RouteAdmission } from '../../pipeline/admission.js';
import { PlanpointTokens } from './planpoint-tokens.js';
import { planpointPublicPolicy } from './planpoint-settings.js';

/**
 * Who may call a route: `public` (anyone; a valid credential makes previews visible and skips the per-IP limit),
 * `read` (any valid credential), `write` (admin and tpa editor, docs/planpoint.md), `none` (login checks its own).
 */
export type PlanpointAccess = 'public' | 'read' | 'write' | 'none';
export const PLANPOINT_ACCESS = 'planpoint:access';
export const WRITERS: ReadonlySet<UserRole> = new Set<UserRole>(['admin', 'tpa editor']);

/**
 * The caller, when its role may write; else 403 `Insufficient permissions`. Every write handler calls it once its
 * body and path are parsed, so that a bad body is a 400 whoever sends it (docs/planpoint.md orders fields before
 * permission); test/e2e/planpoint-write-roles.e2e-spec.ts sends every write route a reader's key.
 */
export function writer(p: Principal): Principal {
  if (!WRITERS.has(p.role)) throw new DomainError('FORBIDDEN', 'Insufficient permissions', { reason: 'insufficient_role' });
  return p;
}

/** Plangate choice (docs/planpoint.md): 300 answers 401 to one client IP in 60 s, then 429 without hashing. */
const FAILED_AUTH_POLICY: LimitPolicy = {
  name: 'planpoint-401',
  windows: [{ kind: 'sliding', name: 'planpoint-401', limit: 300, seconds: 60 }],
};

/**
 * `Authorization: Bearer <token>` (scheme in any case) or the bare token: undefined when absent or empty, `null`
 * for another scheme (`Basic …`), which is an invalid credential.
 */
export function credentialOf(header: string | string[] | undefined): string | null | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  const bearer = /^bearer(?:\s+(.*))?$/i.exec(value);
  if (bearer) return bearer[1]?.trim() || null;
  return /\s/.test(value) ? null : value;
}

type PlanpointRequest = Request & RequestWithPrincipal;

/** The credential rules and the public limit of docs/planpoint.md, checked in the order the page gives. */
@Injectable()
export class PlanpointAuthGuard implements CanActivate {
  private readonly failures: Lockout;

  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityService,
    private readonly tokens: PlanpointTokens,
    private readonly admission: Admission,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.failures = admission.lockout('planpoint', FAILED_AUTH_POLICY, { lockWhenFull: false });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access =
      this.reflector.getAllAndOverride<PlanpointAccess>(PLANPOINT_ACCESS, [context.getHandler(), context.getClass()]) ?? 'read';
    if (access === 'none') return true;
    const http = context.switchToHttp();
    const req = http.getRequest<PlanpointRequest>();
    const res = http.getResponse<Response>();
    const ip = req.ip ?? 'unknown';
    const credential = credentialOf(req.headers.authorization);

    if (access === 'public') {
      const principal = credential ? await this.resolve(credential).catch(ignoreUnauthenticated) : undefined;
      if (principal) req[PRINCIPAL_KEY] = principal;
      else await this.countPublic(ip, res);
      return true;
    }

    const locked = await this.failures.lockedUntil(`ip:${ip}`);
    if (locked !== undefined) throw tooMany(locked);
    if (credential === undefined) {
      await this.failed(ip);
      throw new DomainError('UNAUTHENTICATED', 'Missing access token', { reason: 'missing_credential' });
    }
    let principal: Principal;
    try {
      if (credential === null) throw DomainError.unauthenticated('invalid token');
      principal = await this.resolve(credential);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'UNAUTHENTICATED') throw e;
      await this.failed(ip);
      throw new DomainError('UNAUTHENTICATED', 'Invalid or expired token', { reason: 'invalid_credential' });
    }
    // the role of a write is checked by its handler, after its body (docs/planpoint.md: fields 400, then 403)
    req[PRINCIPAL_KEY] = principal;
    return true;
  }

  /** An API key (`psk_…`) or an access token of docs/planpoint.md, to the user's Principal. */
  private async resolve(credential: string): Promise<Principal> {
    if (credential.startsWith('psk_')) return this.identity.authenticateKey(credential);
    const claims = this.tokens.verify(credential);
    return this.identity.authenticateUserToken(claims.sub, claims.pwv);
  }

  /** Public lookups without a valid credential: 300 per rolling 60 s per client IP (429s not counted). */
  private async countPublic(ip: string, res: Response): Promise<void> {
    if (this.config.planpointPublicPerMinute <= 0) return;
    await this.admission.admit('planpoint', planpointPublicPolicy(this.config.planpointPublicPerMinute), `ip:${ip}`, res, PUBLIC_LIMIT);
  }

  /** Counts a 401 for the client IP; past the limit the IP gets 429 for the rest of the window. */
  private async failed(ip: string): Promise<void> {
    const counted = await this.failures.failed(`ip:${ip}`);
    if (counted.refused) throw tooMany(counted.lockedUntil!);
  }
}

function tooMany(until: number): DomainError {
  return new DomainError('RATE_LIMITED', 'Too many requests, retry later', { retryAfter: secondsUntil(until) });
}

const PUBLIC_LIMIT: LimitAnswer = {
  headers: rateLimitHeaders,
  refused: (d) => new DomainError('RATE_LIMITED', 'Too many requests, retry later', { retryAfter: Math.max(1, d.retryAfterSeconds) }),
};

function ignoreUnauthenticated(e: unknown): undefined {
  if (e instanceof DomainError && e.code === 'UNAUTHENTICATED') return undefined;
  throw e;
}

/** What every Planpoint controller carries: the guard, the `{message}` errors, the docs. */
export function PlanpointApi(access: PlanpointAccess = 'read'): ClassDecorator {
  return applyDecorators(
    ApiTags('planpoint'),
    ...(access === 'none' ? [] : [ApiBearerAuth('planpoint')]),
    ApiErrors([
      { status: 401, description: 'missing or invalid credential', example: { message: 'Missing access token' } },
      { status: 403, description: 'a role that only reads, or a paused project', example: { message: 'Insufficient permissions' } },
      { status: 404, description: "not found (or another account's)", example: { message: 'Project not found' } },
    ]),
    SetMetadata(PLANPOINT_ACCESS, access),
    Admits(ADMISSION[access]),
    UseGuards(PlanpointAuthGuard),
  );
}

/** What each access level asks (docs/routes.md). */
const ADMISSION: Record<PlanpointAccess, RouteAdmission> = {
  none: { credential: 'none (the body carries the password)', limit: 'planpoint-login: 10 failures per user in 15 minutes' },
  public: {
    credential: 'none, or an access token or API key (the owner sees unpublished too)',
    limit: 'planpoint-public per client IP when anonymous',
  },
  read: { credential: 'Bearer access token or API key', limit: 'planpoint-401 per client IP' },
  write: { credential: 'Bearer access token or API key', role: 'admin or tpa editor', limit: 'planpoint-401 per client IP' },
};

/** A route's own access level (overrides the controller's). */
export const Access = (access: PlanpointAccess) =>
  applyDecorators(
    SetMetadata(PLANPOINT_ACCESS, access),
    Admits(ADMISSION[access]),
    // A public route takes the credential optionally (the owner also sees unpublished objects).
    ...(access === 'public' ? [ApiSecurity({})] : []),
  );

/** The caller on a public route: undefined when anonymous. */
export { OptionalPrincipal } from './wire/optional-principal.decorator.js';
