import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { DomainError } from '#errors';
import { IdentityService } from '#identity';
import { type LimitPolicy } from '#limits';
import { Admission, secondsUntil, type Lockout } from '../../pipeline/admission.js';
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
  /** Per login subject (`IdentityService.loginSubject`): the 10th failure locks it before the 11th is checked. */
  private readonly failures: Lockout;

  constructor(
    private readonly identity: IdentityService,
    private readonly tokens: PlanpointTokens,
    admission: Admission,
  ) {
    this.failures = admission.lockout('planpoint', LOGIN_FAILURES, { lockWhenFull: true });
  }

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
    const locked = await this.failures.lockedUntil(subject);
    if (locked !== undefined) throw tooMany(locked);
    try {
      const principal = await this.identity.authenticatePassword(username, password);
      this.failures.cleared(subject);
      return { message: 'Login successful', access_token: this.tokens.issue(principal) };
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'UNAUTHENTICATED') throw e;
      const counted = await this.failures.failed(subject);
      if (counted.refused) throw tooMany(counted.lockedUntil!);
      throw new DomainError('UNAUTHENTICATED', 'Invalid username or password', { reason: 'wrong_password' });
    }
  }
}

function tooMany(until: number): DomainError {
  return new DomainError('RATE_LIMITED', 'Too many login attempts', { reason: 'login_lockout', retryAfter: secondsUntil(until) });
}
