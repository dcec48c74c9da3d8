import { createSecretKey, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { GatewaySecrets } from '#store';

/** Planpoint's audience: a token of another protocol (another audience) is not a Planpoint token, and back. */
export const PLANPOINT_AUDIENCE = 'plangate:planpoint';
/** One hour (docs/planpoint.md): no refresh call; long-running integrations use an API key. */
export const PLANPOINT_TOKEN_SECONDS = 3600;

export interface PlanpointClaims {
  sub: string;
  acc: string;
  aud: string;
  jti: string;
  /** The password version the login checked (libs/identity): a password change or deactivation ends the token. */
  pwv: string;
  iat: number;
  exp: number;
}

/**
 * Access tokens of `POST /api/users/login`: HS256 under JWT_SECRET as a KeyObject (a verify costs microseconds),
 * algorithms and audience pinned, no leeway. Nothing is stored: the token carries the password version of its login,
 * and a move of the user's (`tokens_valid_after`) ends it, as it ends the user's Planfix sessions.
 */
@Injectable()
export class PlanpointTokens {
  private readonly jwt: JwtService;

  constructor(secrets: GatewaySecrets) {
    this.jwt = new JwtService({ secret: createSecretKey(Buffer.from(secrets.jwtSecret)) });
  }

  /** A token for a password login's principal (it carries `passwordVersion`). */
  issue(p: Principal, now = Date.now()): string {
    if (p.passwordVersion === undefined) throw new Error('a Planpoint access token is issued by a password login only');
    const iat = Math.floor(now / 1000);
    return this.jwt.sign(
      {
        sub: p.userId,
        acc: p.accountSlug,
        jti: randomBytes(16).toString('hex'),
        pwv: p.passwordVersion,
        iat,
        exp: iat + PLANPOINT_TOKEN_SECONDS,
      },
      { algorithm: 'HS256', audience: PLANPOINT_AUDIENCE, header: { alg: 'HS256', typ: 'JWT' } },
    );
  }

  /** The claims of a valid token; UNAUTHENTICATED for a bad signature, algorithm, audience or an expired one. */
  verify(token: string): PlanpointClaims {
    try {
      const claims = this.jwt.verify<PlanpointClaims>(token, { algorithms: ['HS256'], audience: PLANPOINT_AUDIENCE, clockTolerance: 0 });
      if (typeof claims.sub !== 'string' || typeof claims.pwv !== 'string') throw new Error('claims missing');
      return claims;
    } catch {
      throw DomainError.unauthenticated('invalid token');
    }
  }
}
