import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { DomainError } from '#errors';
import { IdentityService } from '#identity';
import { Limiter, type LimitPolicy } from '#limits';
import { Access, PlanpointApi } from './planpoint-auth.guard.js';
import { PlanpointTokens } from './planpoint-tokens.js';
import { invalid } from './wire/planpoint-fields.js';
import { ApiJsonBody } from '../../docs/api-docs.js';

/**
 * docs/planpoint.md: 10 failures in 15 min lock the login, right password included; counted per user (username and
 * e-mail in any case are one bucket), per trimmed lower-cased identifier when it names nobody.
 */
const LOGIN_FAILURES: LimitPolicy = {
  name: 'planpoint-login',
  windows: [{ kind: 'sliding', name: 'planpoint-login', limit: 10, seconds: 900 }],
  // in the store, so that every instance can read a lock made on another before it hashes a password
  durable: true,
};

/** `POST /api/users/login`: e-mail or username and the Plangate password → a one-hour access token. */
@PlanpointApi('none')
@Controller('api/users')
export class PlanpointLoginController {
  /** Login subjects (`IdentityService.loginSubject`) locked on this instance until (epoch ms); the failure count itself is in the shared limiter. */
  private readonly locked = new Map<string, number>();

  constructor(
    private readonly identity: IdentityService,
    private readonly tokens: PlanpointTokens,
    private readonly limiter: Limiter,
  ) {}

  @Post('login')
  @Access('none')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiJsonBody({ username: 'demo-admin', password: 'correct-horse-battery' })
  @ApiOperation({ summary: 'Log in with e-mail or username and password; answers a one-hour access token' })
  async login(@Body() body: Record<string, unknown>) {
    const { username, password } = body;
    if (
      typeof username !== 'string' ||
      typeof password !== 'string' ||
      !username ||
      !password ||
      username.length > 254 ||
      password.length > 1024
    ) {
      throw invalid('username and password are required', 'username');
    }
    const subject = await this.identity.loginSubject(username);
    const until = this.locked.get(subject) ?? (await this.lockedElsewhere(subject));
    if (until !== undefined && until > Date.now()) throw this.tooMany(until);
    try {
      const principal = await this.identity.authenticatePassword(username, password);
      return { message: 'Login successful', access_token: this.tokens.issue(principal) };
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'UNAUTHENTICATED') throw e;
      const decision = await this.limiter.admit(LOGIN_FAILURES, subject);
      if (!decision.admitted || decision.tightest.remaining === 0) {
        const lockedUntil = decision.admitted ? decision.tightest.resetAt : decision.tightest.retryAt;
        this.locked.set(subject, lockedUntil);
        if (!decision.admitted) throw this.tooMany(lockedUntil);
      }
      throw new DomainError('UNAUTHENTICATED', 'Invalid username or password', { reason: 'wrong_password' });
    }
  }

  /** A lock this instance has not seen: the failures another instance counted fill the shared window. */
  private async lockedElsewhere(subject: string): Promise<number | undefined> {
    const seen = await this.limiter.peek(LOGIN_FAILURES, subject);
    if (seen.tightest.remaining > 0) return undefined;
    this.locked.set(subject, seen.tightest.resetAt);
    return seen.tightest.resetAt;
  }

  private tooMany(until: number): DomainError {
    return new DomainError('RATE_LIMITED', 'Too many login attempts', {
      reason: 'login_lockout',
      retryAfter: Math.max(1, Math.ceil((until - Date.now()) / 1000)),
    });
  }
}
