import { applyDecorators, Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { DomainError, type UnauthenticatedReason } from '#errors';
import { AccountsService, IdentityService, PRINCIPAL_KEY, SigningKeysService, type Principal, type RequestWithPrincipal } from '#identity';
import { type LimitDecision, type LimitPolicy } from '#limits';
import { Admission, Admits, type Lockout } from '../../pipeline/admission.js';
import { isPlanfixMethod, type RequestWithPlanfix } from './wire/planfix-call.js';
import { expectedSignature, signatureMatches } from './wire/planfix-signature.js';
import { XmlParams } from './wire/xml-params.js';
import { parseXmlRequest, type XmlBody } from './wire/xml-request.js';
import { XmlSessionsService } from './xml-sessions.service.js';
import { PLANFIX_DAY_WINDOW, PLANFIX_SETTINGS, planfixPolicyOf } from './planfix-settings.js';

/** Plangate choice (docs/planfix.md): over 300 answers 0001/0003/0004 to one client IP in a minute → 0007. */
const FAILED_POLICY: LimitPolicy = {
  name: 'planfix-failed',
  windows: [{ kind: 'sliding', name: 'planfix-failed', limit: 300, seconds: 60 }],
};

type PlanfixRequest = Request & RequestWithPrincipal & RequestWithPlanfix & { body?: XmlBody };

/** `Authorization: Basic base64(user:password)`; undefined when absent or malformed. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function failure(code: 'UNAUTHENTICATED', reason: UnauthenticatedReason, message: string): DomainError {
  return new DomainError(code, message, { reason });
}

/** Was this refusal one of the answers that count as a failed attempt (0001, 0003, 0004)? */
function isFailedAttempt(e: unknown): boolean {
  if (!(e instanceof DomainError)) return false;
  return (
    e.code === 'MALFORMED' ||
    e.code === 'PAYLOAD_TOO_LARGE' ||
    (e.code === 'NOT_FOUND' && e.entity === 'account') ||
    (e.code === 'UNAUTHENTICATED' && e.reason === 'invalid_credential')
  );
}

/**
 * The checks of docs/planfix.md, in order, the first failure answering: the body (0003), `<account>` (0004), the
 * Basic key of that account (0001), the plan (0022), the per-second rate and the daily quota (0007), the method
 * (0008), the signature under strict checking (0006), then the acting user from the sid (0005) or the token
 * (0012). auth.login checks its own credentials in its handler.
 *
 * A guard, though the credentials are in the body: the body is read by the protocol's transport, so the guard
 * sees it like any header, and every Planfix answer (the guard's refusals included) leaves through the pipeline's one filter.
 */
@Injectable()
export class PlanfixAuthGuard implements CanActivate {
  /** Client IPs refused for failed attempts: answered without parsing or hashing. */
  private readonly failures: Lockout;

  constructor(
    private readonly identity: IdentityService,
    private readonly accounts: AccountsService,
    private readonly sessions: XmlSessionsService,
    private readonly signingKeys: SigningKeysService,
    private readonly admission: Admission,
  ) {
    this.failures = admission.lockout('planfix', FAILED_POLICY, { lockWhenFull: false });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<PlanfixRequest>();
    const res = http.getResponse<Response>();
    const ip = req.ip ?? 'unknown';
    req.planfix = { remaining: 0 };
    res.setHeader('X-RateLimit-Remaining', '0');
    if ((await this.failures.lockedUntil(`ip:${ip}`)) !== undefined) throw tooManyFailures();

    let request;
    let keyPrincipal: Principal;
    let credentials;
    try {
      request = parseXmlRequest(req.body);
      const slug = new XmlParams(request.root).raw('account')?.toLowerCase();
      credentials = basicCredentials(req.headers.authorization);
      keyPrincipal = await this.accountKey(slug, credentials?.user);
    } catch (e) {
      if (isFailedAttempt(e) && (await this.failures.failed(`ip:${ip}`)).refused) throw tooManyFailures();
      throw e;
    }
    req[PRINCIPAL_KEY] = keyPrincipal;

    if (keyPrincipal.accountPlan === 'free')
      throw new DomainError('FORBIDDEN', 'the free plan has no API access', { reason: 'plan_without_api' });
    await this.admit(keyPrincipal, req, res);
    if (!isPlanfixMethod(request.method)) throw DomainError.notFound('route', 'unknown method');
    const params = new XmlParams(request.root);
    const settings = PLANFIX_SETTINGS.of(keyPrincipal);
    if (settings.strict_signature) await this.checkSignature(keyPrincipal.accountId, request.method, request.root, params.raw('signature'));

    const principal =
      request.method === 'auth.login' ? keyPrincipal : await this.actingUser(keyPrincipal, params.raw('sid'), credentials?.password ?? '');
    req[PRINCIPAL_KEY] = principal;
    req.planfix.call = { method: request.method, params, principal, basicKeyId: keyPrincipal.credentialId!, ip };
    return true;
  }

  /** The Basic username must be an active key of the named account (0001); an unknown account is 0004 first. */
  private async accountKey(slug: string | undefined, key: string | undefined): Promise<Principal> {
    if (!slug) throw DomainError.notFound('account', 'unknown account');
    if (key) {
      try {
        const principal = await this.identity.authenticateKey(key);
        if (principal.accountSlug === slug) return principal;
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'UNAUTHENTICATED') throw e;
      }
    }
    await this.accounts.get(slug); // NOT_FOUND account → 0004
    throw failure('UNAUTHENTICATED', 'invalid_credential', 'invalid API key');
  }

  /** The per-second bucket and the daily quota as one durable admission; every answer tells what is left today. */
  private async admit(p: Principal, req: PlanfixRequest, res: Response): Promise<void> {
    const dayOf = (d: LimitDecision) => d.windows.find((w) => w.name === PLANFIX_DAY_WINDOW)!;
    await this.admission.admit('planfix', planfixPolicyOf(p), `account:${p.accountId}`, res, {
      headers: (d) => {
        req.planfix!.remaining = dayOf(d).remaining;
        return { 'X-RateLimit-Remaining': String(req.planfix!.remaining) };
      },
      refused: (d) => {
        const daily = dayOf(d).retryAt > d.now;
        return new DomainError('RATE_LIMITED', daily ? 'daily request limit exceeded' : 'request rate exceeded', {
          reason: daily ? 'daily_quota' : 'too_many_requests',
          retryAfter: d.retryAfterSeconds,
        });
      },
    });
  }

  private async checkSignature(
    accountId: string,
    method: string,
    root: Parameters<typeof expectedSignature>[1],
    given: string | undefined,
  ): Promise<void> {
    const key = await this.signingKeys.secretOf(accountId);
    if (!key || !signatureMatches(given, expectedSignature(method, root, key)))
      throw failure('UNAUTHENTICATED', 'invalid_signature', 'invalid signature');
  }

  /** Session mode when a sid is given (the password is then ignored), else token mode, else 0012. */
  private async actingUser(keyPrincipal: Principal, sid: string | undefined, password: string): Promise<Principal> {
    if (sid) {
      const user = await this.sessions.resolve(sid);
      if (!user || user.accountId !== keyPrincipal.accountId)
        throw failure('UNAUTHENTICATED', 'invalid_session', 'session key expired or unknown');
      return user;
    }
    if (password && password !== 'x' && password !== 'X') {
      try {
        const user = await this.identity.authenticateKey(password);
        if (user.accountId === keyPrincipal.accountId) return user;
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'UNAUTHENTICATED') throw e;
      }
    }
    throw failure('UNAUTHENTICATED', 'no_user_credential', 'no session and no token');
  }
}

function tooManyFailures(): DomainError {
  return new DomainError('RATE_LIMITED', 'too many failed attempts', { reason: 'failed_attempts' });
}

/** What the Planfix controller carries: this guard, the XML error envelope, and no OpenAPI entry (not JSON). */
export function PlanfixApi(): ClassDecorator {
  return applyDecorators(
    ApiExcludeController(),
    Admits({
      credential: 'Basic API key of the <account>, then a sid (auth.login) or a user key',
      role: 'plan other than free; auth.login: a user password',
      limit: 'planfix: daily_quota by plan and rate_per_second per account; planfix-failed per client IP; planfix-login per user',
    }),
    UseGuards(PlanfixAuthGuard),
  );
}
