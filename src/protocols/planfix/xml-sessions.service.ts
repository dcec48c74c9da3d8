import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { FixedTermSessionsService, type Principal, type SessionPolicy } from '#identity';

const SID = /^[0-9a-f]{32}$/;

/**
 * A session lasts one hour from the login, fixed (docs/planfix.md): clients log in again on 0005. The sid: 16 random
 * bytes as 32 lowercase hex, matched in any case.
 */
export const PLANFIX_SESSIONS: SessionPolicy = {
  lifetimeSeconds: 3600,
  newSecret: () => randomBytes(16).toString('hex'),
  issuedForm: (presented) => {
    const sid = presented.toLowerCase();
    return SID.test(sid) ? sid : undefined;
  },
};

/**
 * Planfix XML sessions (`auth.login` → `sid`): fixed-term sessions of `#identity`, opened by a password login under
 * the request's Basic key. The sid exists in clear only in the login answer; the session ends with that key, either
 * user, the account or a password change (see `FixedTermSessionsService`).
 */
@Injectable()
export class XmlSessionsService {
  constructor(private readonly sessions: FixedTermSessionsService) {}

  /** Opens a session for `user` (a password login) under the Basic key `keyId`; returns the sid (32 lowercase hex). */
  async open(user: Principal, keyId: string): Promise<{ sid: string; expiresAt: Date }> {
    const { secret, expiresAt } = await this.sessions.open(user, keyId, PLANFIX_SESSIONS);
    return { sid: secret, expiresAt };
  }

  /** The session's user, or undefined when the sid is unknown, expired or ended (whatever the reason). */
  resolve(sid: string): Promise<Principal | undefined> {
    return this.sessions.resolve(sid, PLANFIX_SESSIONS);
  }
}
