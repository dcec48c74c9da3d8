import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DomainError } from '#errors';
import { type Session } from './sessions.service.js';
import { FORWARD_PLANNER_SETTINGS } from './forward-planner-settings.js';

/** Refuses Planpoint's JWTs, made with the same secret. */
export const ACCESS_TOKEN_AUDIENCE = 'plangate:forward-planner';
/** 900 s, no leeway (docs/forward-planner.md). */
export const ACCESS_TOKEN_SECONDS = 900;

export interface AccessClaims {
  sub: string;
  acc: string;
  pid: number;
  fam: string;
  jti: string;
  aud: string;
  iat: number;
  exp: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Access tokens: HS256 JWTs signed with the UTF-8 bytes of JWT_SECRET as a KeyObject (the module registers the
 * JwtService that way), verified with the algorithm and audience pinned. Kept nowhere: a token dies with its
 * expiry or its family.
 */
@Injectable()
export class ForwardPlannerTokens {
  constructor(private readonly jwt: JwtService) {}

  issue(session: Session): string {
    const p = session.principal;
    return this.jwt.sign({
      sub: String(p.userNumber),
      acc: p.accountSlug,
      pid: FORWARD_PLANNER_SETTINGS.of(p).product_id,
      fam: session.familyId,
      jti: randomBytes(16).toString('base64url'),
    });
  }

  /** The claims of a good token; anything else (malformed, forged, `alg` not HS256, expired, ...) UNAUTHENTICATED. */
  verify(token: string): AccessClaims {
    let claims: AccessClaims;
    try {
      claims = this.jwt.verify<AccessClaims>(token);
    } catch {
      throw invalidToken();
    }
    if (typeof claims.sub !== 'string' || !/^\d+$/.test(claims.sub) || typeof claims.fam !== 'string' || !UUID.test(claims.fam))
      throw invalidToken();
    return claims;
  }
}

export function invalidToken(): DomainError {
  return DomainError.unauthenticated('Invalid or expired access token');
}
