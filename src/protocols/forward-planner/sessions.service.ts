import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { IdentityService, RotatingSessionsService, sameString, type Principal, type RotatingSession, type SessionPolicy } from '#identity';
import { invalidToken } from './forward-planner-tokens.js';

/** Opaque refresh tokens: 32 random bytes, base64url (43 characters). */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Refresh tokens live 30 days from their issue and rotate on every renew (docs/forward-planner.md). */
export const FORWARD_PLANNER_SESSIONS: SessionPolicy = {
  lifetimeSeconds: 30 * 24 * 3600,
  newSecret: () => randomBytes(32).toString('base64url'),
  issuedForm: (presented) => (REFRESH_TOKEN_PATTERN.test(presented) ? presented : undefined),
};

/** A session's answer: who, which family (for the access token's `fam`), and the refresh token in clear, once. */
export interface Session {
  principal: Principal;
  familyId: string;
  refreshToken: string;
}

function invalidRefreshToken(): DomainError {
  return DomainError.invalid([{ field: 'refreshToken', issue: 'invalid' }], 'Invalid refresh token');
}

/**
 * Forward Planner sessions (docs/forward-planner.md): rotating sessions of `#identity` opened by a login with a
 * username and one of that user's API keys, renewed with the refresh token, read back by the access token's family.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly identity: IdentityService,
    private readonly sessions: RotatingSessionsService,
  ) {}

  /**
   * A login with a username or e-mail (any case) and one of that user's API keys. Every failure is one
   * UNAUTHENTICATED. `admit` runs before anything is written (the protocol's access check).
   */
  async login(username: string, key: string, admit: (p: Principal) => void): Promise<Session> {
    let principal: Principal | undefined;
    try {
      principal = await this.identity.authenticateKey(key);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'UNAUTHENTICATED') throw e;
    }
    const login = username.toLowerCase();
    // Compare both names whatever the first gives, so that timing tells nothing about which matched.
    const sameName = principal ? sameString(login, principal.username.toLowerCase()) : false;
    const sameEmail = principal ? sameString(login, principal.email.toLowerCase()) : false;
    if (!principal || !(sameName || sameEmail)) throw DomainError.unauthenticated('Invalid username or API key');
    admit(principal);
    return toSession(await this.sessions.open(principal, principal.credentialId!, FORWARD_PLANNER_SESSIONS));
  }

  /**
   * Rotates a refresh token. Unknown, expired, revoked, already rotated (which revokes its family), or of a user,
   * account or key no longer active → INVALID "Invalid refresh token". `admit` runs before the rotation commits.
   */
  async renew(refreshToken: string, admit: (p: Principal) => void): Promise<Session> {
    const renewed = await this.sessions.renew(refreshToken, FORWARD_PLANNER_SESSIONS, admit);
    if (!renewed) throw invalidRefreshToken();
    return toSession(renewed);
  }

  /** The principal of a live family (its key, user and account active), or UNAUTHENTICATED. */
  async principalOfFamily(familyId: string): Promise<Principal> {
    const principal = await this.sessions.principalOf(familyId);
    if (!principal) throw invalidToken();
    return principal;
  }
}

function toSession(s: RotatingSession): Session {
  return { principal: s.principal, familyId: s.id, refreshToken: s.secret };
}
