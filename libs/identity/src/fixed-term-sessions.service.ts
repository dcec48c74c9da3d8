import { Injectable } from '@nestjs/common';
import { StoreService } from '#store';
import { FIND_FIXED_TERM_SESSION_SQL } from './identity.queries.js';
import { type Principal } from './principal.js';
import { toPrincipal, type PrincipalRow } from './principal-row.js';
import { sha256 } from './secrets.js';
import { type SessionPolicy } from './session-policy.js';

/**
 * Sessions of one secret, opened by a password login under an API key, that end a fixed time after the login (the
 * table keeps the name of the protocol that brought them: `xml_sessions`). The store keeps the secret's SHA-256 with
 * the user, the account, the key and the version of the password the login checked. Every lookup joins the key, the
 * user and the account, so revoking the key, deactivating either user, disabling the account or changing the
 * password ends the session at once, on every instance (nothing is cached).
 */
@Injectable()
export class FixedTermSessionsService {
  constructor(private readonly store: StoreService) {}

  /** Opens a session for `user` (a password login) under the key `keyId`; returns its secret, in clear only here. */
  async open(user: Principal, keyId: string, policy: SessionPolicy): Promise<{ secret: string; expiresAt: Date }> {
    if (user.passwordVersion === undefined) throw new Error('a fixed-term session is opened by a password login only');
    const secret = policy.newSecret();
    const [row] = await this.store.query<{ expiresAt: Date }>(
      `INSERT INTO xml_sessions (sid_sha256, account_id, user_id, key_id, password_version, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING expires_at AS "expiresAt"`,
      [sha256(secret), user.accountId, user.userId, keyId, user.passwordVersion, policy.lifetimeSeconds],
    );
    // sessions past expiry go on the Pruner's schedule (session-pruning.ts), not on a login's time
    return { secret, expiresAt: row.expiresAt };
  }

  /** The session's user, or undefined when the secret is unknown, expired or ended (whatever the reason). */
  async resolve(presented: string, policy: SessionPolicy): Promise<Principal | undefined> {
    const secret = policy.issuedForm(presented);
    if (secret === undefined) return undefined;
    const [row] = await this.store.query<PrincipalRow & { key_id: string }>(FIND_FIXED_TERM_SESSION_SQL, [sha256(secret)]);
    return row ? toPrincipal(row, row.key_id) : undefined;
  }
}
