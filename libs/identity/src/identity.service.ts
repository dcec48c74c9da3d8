import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainError } from '#errors';
import { StoreService } from '#store';
import { ApiKeysRepository } from './api-keys.repository.js';
import { FIND_LOGIN_SQL, FIND_LOGIN_USER_SQL, FIND_TOKEN_USER_SQL } from './identity.queries.js';
import { type Principal } from './principal.js';
import { toPrincipal, type PrincipalRow } from './principal-row.js';
import { API_KEY_PATTERN, apiKeyPrefix, decoyPasswordHash, sameSecret, sha256, verifyPassword } from './secrets.js';

/** No username or e-mail is longer (an e-mail address has at most 254 characters): longer logins name nobody. */
const MAX_LOGIN_LENGTH = 320;
/** How often each instance reads the identity epoch: a revocation elsewhere reaches this instance within it. */
const EPOCH_POLL_MS = 200;
/** A cached principal is trusted only while the epoch was read this recently (the poll may fail). */
const EPOCH_FRESH_MS = 800;
const CACHE_MAX = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `last_used_at` is written at most this often per key, never on every request. */
const TOUCH_EVERY_MS = 60_000;

interface CachedPrincipal {
  principal: Principal;
  epoch: bigint;
}

/**
 * Turns a credential into a Principal. API keys are looked up by prefix and compared by SHA-256 in constant time;
 * resolved principals are cached per key digest and dropped whenever the identity epoch moves (any revocation,
 * deactivation or account change, on any instance), so a revoked key is refused at once here and within
 * EPOCH_POLL_MS elsewhere, while a hit costs a hash and a map lookup.
 */
@Injectable()
export class IdentityService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Identity');
  private readonly cache = new Map<string, CachedPrincipal>();
  private readonly touchedAt = new Map<string, number>();
  private epoch = -1n;
  private epochReadAt = 0;
  /** Local changes (see `invalidate`), for `cacheStamp`. */
  private invalidations = 0;
  private poller?: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly store: StoreService,
    private readonly keys: ApiKeysRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.pollEpoch();
    this.poller = setInterval(() => void this.pollEpoch(), EPOCH_POLL_MS);
    this.poller.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.poller);
    this.cache.clear();
  }

  /** Drops every cached principal of this instance (called after a local change, before its answer is sent). */
  invalidate(): void {
    this.invalidations++;
    this.cache.clear();
  }

  /**
   * Changes whenever cached principals must be dropped: the epoch moved (a change on any instance) or this instance
   * changed something (`invalidate`). Undefined when the epoch read is too old to trust. Caches of principals kept
   * elsewhere (rotating sessions) keep it beside each entry and trust the entry only while it is unchanged.
   */
  cacheStamp(): string | undefined {
    return this.epochFresh() ? `${this.epoch}:${this.invalidations}` : undefined;
  }

  /**
   * May cached principals be trusted? On PostgreSQL only while the epoch was read recently (another instance may
   * have revoked something). The embedded store has exactly one process, whose own changes call `invalidate()`, so
   * its cache stays valid even when a busy single connection delays the poll.
   */
  private epochFresh(): boolean {
    return this.store.kind === 'embedded' || Date.now() - this.epochReadAt < EPOCH_FRESH_MS;
  }

  private async pollEpoch(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const epoch = await this.keys.readEpoch();
      if (epoch !== this.epoch) {
        this.cache.clear();
        this.epoch = epoch;
      }
      this.epochReadAt = Date.now();
    } catch {
      // Store unreachable: cached principals go stale after EPOCH_FRESH_MS and every lookup goes to the store.
    } finally {
      this.polling = false;
    }
  }

  /**
   * Resolves an API key (`psk_...`) to its Principal. Unknown, malformed, revoked keys and disabled users or accounts
   * all answer UNAUTHENTICATED, with no hint which.
   */
  async authenticateKey(key: string): Promise<Principal> {
    if (typeof key !== 'string' || !API_KEY_PATTERN.test(key)) throw DomainError.unauthenticated('invalid API key');
    const digest = sha256(key);
    const cacheKey = digest.toString('base64');
    const fresh = this.epochFresh();
    const hit = fresh ? this.cache.get(cacheKey) : undefined;
    if (hit && hit.epoch === this.epoch) {
      this.touch(hit.principal.credentialId!);
      return hit.principal;
    }

    const epochBefore = this.epoch;
    const rows = await this.keys.findActiveByPrefix(apiKeyPrefix(key));
    const row = rows.find((r) => sameSecret(r.secret_sha256, digest));
    if (!row) throw DomainError.unauthenticated('invalid API key');
    const principal = toPrincipal(row, row.key_id);
    // Cache only if no change was seen while the row was read: otherwise the next request reads again.
    if (fresh && epochBefore === this.epoch) {
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(cacheKey, { principal, epoch: epochBefore });
    }
    this.touch(row.key_id);
    return principal;
  }

  /**
   * Username or e-mail (any case) and password, for the protocols that log in. Slow by design (argon2id). The
   * principal carries `passwordVersion`: whatever the login opens must carry it too (see `authenticateUserToken`).
   */
  async authenticatePassword(login: string, password: string): Promise<Principal> {
    if (typeof login !== 'string' || typeof password !== 'string' || !login || !password || login.length > 320 || password.length > 1024) {
      throw DomainError.unauthenticated('invalid username or password');
    }
    const [row] = await this.store.query<PrincipalRow & { password_hash: string | null; password_version: string }>(FIND_LOGIN_SQL, [
      login,
    ]);
    const ok = await verifyPassword(row?.password_hash ?? (await decoyPasswordHash()), password);
    if (!row || !row.password_hash || !ok) throw DomainError.unauthenticated('invalid username or password');
    return { ...toPrincipal(row, null), passwordVersion: String(row.password_version) };
  }

  /**
   * Whom a login attempt counts against, for lockouts: `user:<id>` when the identifier names a user (username or
   * e-mail, any case, surrounding whitespace ignored), else `login:<SHA-256 of the identifier trimmed and
   * lower-cased>`. So every spelling of one user's name fills one bucket, and an attacker gets no more guesses by
   * varying it; a made-up identifier of any length is a key of fixed size in the limiter and the lockout maps.
   */
  async loginSubject(login: string): Promise<string> {
    const normalized = login.trim().toLowerCase();
    const named = normalized && normalized.length <= MAX_LOGIN_LENGTH;
    const [row] = named ? await this.store.query<{ id: string }>(FIND_LOGIN_USER_SQL, [normalized]) : [];
    return row ? `user:${row.id}` : `login:${sha256(normalized).toString('base64url')}`;
  }

  /**
   * The user named by a verified access token (`sub`), issued by a password login of `passwordVersion`: refused
   * when the user is unknown or inactive, the account disabled, or the version moved since (a password change, a
   * deactivation, a disabling). One indexed read per request (tokens are not stored).
   */
  async authenticateUserToken(userId: string, passwordVersion: string): Promise<Principal> {
    if (typeof userId !== 'string' || !UUID.test(userId) || typeof passwordVersion !== 'string')
      throw DomainError.unauthenticated('invalid token');
    const [row] = await this.store.query<PrincipalRow & { password_version: string }>(FIND_TOKEN_USER_SQL, [userId]);
    if (!row || String(row.password_version) !== passwordVersion) throw DomainError.unauthenticated('invalid token');
    return toPrincipal(row, null);
  }

  private touch(keyId: string): void {
    const now = Date.now();
    if (now - (this.touchedAt.get(keyId) ?? 0) < TOUCH_EVERY_MS) return;
    this.touchedAt.set(keyId, now);
    this.keys.touch(keyId).catch((e: unknown) => this.logger.warn(`could not record key use: ${String(e)}`));
  }
}
