import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { StoreService } from '#store';
import { FIND_XML_SESSION_SQL } from './identity.queries.js';
import { type Principal } from './principal.js';
import { toPrincipal, type PrincipalRow } from './principal-row.js';
import { sha256 } from './secrets.js';

/** Planfix sessions last one hour from the login, fixed (docs/planfix.md): clients log in again on 0005. */
export const XML_SESSION_SECONDS = 3600;
const SID = /^[0-9a-f]{32}$/;

/**
 * Planfix XML sessions (`auth.login` → `sid`). The sid exists in clear only in the login answer; the store keeps its
 * SHA-256 with the user, the account, the API key that opened it and the version of the password the login checked.
 * Every lookup joins the key, the user and the account, so revoking the key, deactivating either user, disabling
 * the account or changing the password ends the session at once, on every instance (nothing is cached).
 */
@Injectable()
export class XmlSessionsService {
  constructor(private readonly store: StoreService) {}

  /** Opens a session for `user` (a password login) under the Basic key `keyId`; returns the sid (32 lowercase hex). */
  async open(user: Principal, keyId: string): Promise<{ sid: string; expiresAt: Date }> {
    if (user.passwordVersion === undefined) throw new Error('a Planfix session is opened by a password login only');
    const sid = randomBytes(16).toString('hex');
    const [row] = await this.store.query<{ expiresAt: Date }>(
      `INSERT INTO xml_sessions (sid_sha256, account_id, user_id, key_id, password_version, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING expires_at AS "expiresAt"`,
      [sha256(sid), user.accountId, user.userId, keyId, user.passwordVersion, XML_SESSION_SECONDS],
    );
    // Sessions long expired are dropped by whoever logs in next (an index on expires_at keeps this cheap).
    await this.store.query(`DELETE FROM xml_sessions WHERE expires_at < now() - interval '1 day'`);
    return { sid, expiresAt: row.expiresAt };
  }

  /** The session's user, or undefined when the sid is unknown, expired or ended (whatever the reason). */
  async resolve(sid: string): Promise<Principal | undefined> {
    const normalized = sid.toLowerCase();
    if (!SID.test(normalized)) return undefined;
    const [row] = await this.store.query<PrincipalRow & { key_id: string }>(FIND_XML_SESSION_SQL, [sha256(normalized)]);
    return row ? toPrincipal(row, row.key_id) : undefined;
  }
}
