import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { BUMP_EPOCH_SQL, IdentityService, sameString, sha256, toPrincipal, type Principal, type PrincipalRow } from '#identity';
import { StoreService } from '#store';
import {
  FAMILY_PRINCIPAL_SQL,
  FIND_REFRESH_TOKEN_SQL,
  OPEN_FAMILY_SQL,
  REVOKE_FAMILY_SQL,
  ROTATE_REFRESH_TOKEN_SQL,
} from './events.queries.js';

/** A session's answer: who, which family (for the access token's `fam`), and the refresh token in clear, once. */
export interface Session {
  principal: Principal;
  familyId: string;
  refreshToken: string;
}

interface FamilyRow extends PrincipalRow {
  family_id: string;
  key_id: string;
}

interface CachedFamily {
  principal: Principal;
  stamp: string;
}

const CACHE_MAX = 10_000;

/** Opaque refresh tokens: 32 random bytes, base64url (43 characters). */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function invalidRefreshToken(): DomainError {
  return DomainError.invalid([{ field: 'refreshToken', issue: 'invalid' }], 'Invalid refresh token');
}

/**
 * Forward Planner sessions (docs/forward-planner.md): a login opens a refresh-token family bound to the user and the
 * API key it used; every renew rotates the token; presenting a rotated token revokes the family (RFC 9700 reuse
 * detection). Tokens are stored as SHA-256 only. A family dies with its key, its user or its account: each check
 * joins them, so revoking a key ends its families without touching them.
 *
 * Access tokens are resolved through their family; the answer is cached per family and dropped whenever the
 * identity's cache stamp moves (any revocation, deactivation or settings change: here at once, on other instances
 * within the epoch poll; a family revoked here bumps the epoch too), so a hit costs a map lookup.
 */
@Injectable()
export class SessionsService {
  private readonly cache = new Map<string, CachedFamily>();

  constructor(
    private readonly store: StoreService,
    private readonly identity: IdentityService,
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
    const refreshToken = newRefreshToken();
    const [row] = await this.store.query<{ family_id: string }>(OPEN_FAMILY_SQL, [
      principal.accountId,
      principal.userId,
      principal.credentialId,
      sha256(refreshToken),
    ]);
    return { principal, familyId: row.family_id, refreshToken };
  }

  /**
   * Rotates a refresh token: the presented one is replaced by a new one of the same family. Unknown, expired,
   * revoked, or of a user, account or key no longer active → INVALID "Invalid refresh token"; already rotated → the
   * same, and its whole family is revoked. `admit` runs before the rotation commits (throwing undoes it).
   */
  async renew(refreshToken: string, admit: (p: Principal) => void): Promise<Session> {
    if (!REFRESH_TOKEN_PATTERN.test(refreshToken)) throw invalidRefreshToken();
    const digest = sha256(refreshToken);
    const next = newRefreshToken();
    const rotated = await this.store.transaction(async (tx) => {
      const [row] = await this.store.query<FamilyRow>(ROTATE_REFRESH_TOKEN_SQL, [digest, randomUUID(), sha256(next)], tx);
      if (row) admit(toPrincipal(row, row.key_id));
      return row;
    });
    if (rotated) return { principal: toPrincipal(rotated, rotated.key_id), familyId: rotated.family_id, refreshToken: next };

    const [known] = await this.store.query<{ family_id: string; rotated: boolean }>(FIND_REFRESH_TOKEN_SQL, [digest]);
    if (known?.rotated) await this.revokeFamily(known.family_id, 'reuse');
    throw invalidRefreshToken();
  }

  /** The principal of a live family (its key, user and account active), or UNAUTHENTICATED. */
  async principalOfFamily(familyId: string): Promise<Principal> {
    const stamp = this.identity.cacheStamp();
    const hit = stamp === undefined ? undefined : this.cache.get(familyId);
    if (hit && hit.stamp === stamp) return hit.principal;

    const [row] = await this.store.query<FamilyRow>(FAMILY_PRINCIPAL_SQL, [familyId]);
    if (!row) throw DomainError.unauthenticated('Invalid or expired access token');
    const principal = toPrincipal(row, row.key_id);
    // Cached only if nothing changed while the row was read: otherwise the next request reads again.
    if (stamp !== undefined && stamp === this.identity.cacheStamp()) {
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(familyId, { principal, stamp });
    }
    return principal;
  }

  /** Revokes a family (its refresh tokens and the access tokens it issued): here at once, elsewhere within a poll. */
  async revokeFamily(familyId: string, reason: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const [row] = await this.store.query(REVOKE_FAMILY_SQL, [familyId, reason], tx);
      if (row) await this.store.query(BUMP_EPOCH_SQL, [], tx);
    });
    this.cache.delete(familyId);
  }
}

function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}
