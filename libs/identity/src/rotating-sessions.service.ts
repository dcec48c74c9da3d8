import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { StoreService } from '#store';
import {
  BUMP_EPOCH_SQL,
  FAMILY_PRINCIPAL_SQL,
  FIND_REFRESH_TOKEN_SQL,
  OPEN_FAMILY_SQL,
  REVOKE_FAMILY_SQL,
  ROTATE_REFRESH_TOKEN_SQL,
} from './identity.queries.js';
import { IdentityService } from './identity.service.js';
import { type Principal } from './principal.js';
import { toPrincipal, type PrincipalRow } from './principal-row.js';
import { sha256 } from './secrets.js';
import { type SessionPolicy } from './session-policy.js';

/** A login's or a renewal's answer: the session's id (its access tokens name it), who, and the secret in clear once. */
export interface RotatingSession {
  id: string;
  principal: Principal;
  secret: string;
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

/**
 * Sessions whose secret is a refresh token that every renewal replaces: a login opens a refresh-token family bound
 * to the user and the API key it used; presenting a replaced token revokes the family (RFC 9700 reuse detection).
 * Tokens are stored as SHA-256 only. A family dies with its key, its user or its account: each check joins them, so
 * revoking a key ends its families without touching them.
 *
 * Access tokens name their family; its principal is cached per family and dropped whenever the identity's cache
 * stamp moves (any revocation, deactivation or settings change: here at once, on other instances within the epoch
 * poll; a family revoked here bumps the epoch too), so a hit costs a map lookup.
 */
@Injectable()
export class RotatingSessionsService {
  private readonly cache = new Map<string, CachedFamily>();

  constructor(
    private readonly store: StoreService,
    private readonly identity: IdentityService,
  ) {}

  /** Opens a session for `user` under the key `keyId`, its first refresh token living `policy.lifetimeSeconds`. */
  async open(user: Principal, keyId: string, policy: SessionPolicy): Promise<RotatingSession> {
    const secret = policy.newSecret();
    const [row] = await this.store.query<{ family_id: string }>(OPEN_FAMILY_SQL, [
      user.accountId,
      user.userId,
      keyId,
      sha256(secret),
      policy.lifetimeSeconds,
    ]);
    return { id: row.family_id, principal: user, secret };
  }

  /**
   * Replaces a refresh token by a new one of the same family. Undefined when it is malformed, unknown, expired,
   * revoked, or of a user, account or key no longer active; the same when it was replaced already, and its whole
   * family is revoked. `admit` runs before the rotation commits (throwing undoes it).
   */
  async renew(presented: string, policy: SessionPolicy, admit: (p: Principal) => void): Promise<RotatingSession | undefined> {
    const secret = policy.issuedForm(presented);
    if (secret === undefined) return undefined;
    const digest = sha256(secret);
    const next = policy.newSecret();
    const rotated = await this.store.transaction(async (tx) => {
      const [row] = await this.store.query<FamilyRow>(
        ROTATE_REFRESH_TOKEN_SQL,
        [digest, randomUUID(), sha256(next), policy.lifetimeSeconds],
        tx,
      );
      if (row) admit(toPrincipal(row, row.key_id));
      return row;
    });
    if (rotated) return { id: rotated.family_id, principal: toPrincipal(rotated, rotated.key_id), secret: next };

    const [known] = await this.store.query<{ family_id: string; rotated: boolean }>(FIND_REFRESH_TOKEN_SQL, [digest]);
    if (known?.rotated) await this.revoke(known.family_id, 'reuse');
    return undefined;
  }

  /** The principal of a live session (its family, key, user and account active), or undefined. */
  async principalOf(id: string): Promise<Principal | undefined> {
    const stamp = this.identity.cacheStamp();
    const hit = stamp === undefined ? undefined : this.cache.get(id);
    if (hit && hit.stamp === stamp) return hit.principal;

    const [row] = await this.store.query<FamilyRow>(FAMILY_PRINCIPAL_SQL, [id]);
    if (!row) return undefined;
    const principal = toPrincipal(row, row.key_id);
    // Cached only if nothing changed while the row was read: otherwise the next request reads again.
    if (stamp !== undefined && stamp === this.identity.cacheStamp()) {
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(id, { principal, stamp });
    }
    return principal;
  }

  /** Revokes a session (its refresh tokens and the access tokens it issued): here at once, elsewhere within a poll. */
  async revoke(id: string, reason: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const [row] = await this.store.query(REVOKE_FAMILY_SQL, [id, reason], tx);
      if (row) await this.store.query(BUMP_EPOCH_SQL, [], tx);
    });
    this.cache.delete(id);
  }
}
