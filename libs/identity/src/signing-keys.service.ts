import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { GatewaySecrets, StoreService } from '#store';
import { SettingsRegistry } from './account-settings.js';
import { AccountsRepository } from './accounts.repository.js';

const VERSION = 'v1';

/**
 * The signing key of an account, for a protocol whose requests carry a signature: 32 lowercase hex, shown once when issued, stored
 * encrypted (AES-256-GCM) under a key derived from the JWT secret (GatewaySecrets: the same on every instance), so that a copy of the database alone does not reveal it.
 */
@Injectable()
export class SigningKeysService {
  private readonly key: Buffer;
  /** Ciphertext → clear key: decrypting costs a little and the stored value changes only when reissued. */
  private readonly clear = new Map<string, string>();

  constructor(
    secrets: GatewaySecrets,
    private readonly store: StoreService,
    private readonly accounts: AccountsRepository,
    private readonly settings: SettingsRegistry,
  ) {
    // The derivation's label is kept as it was first written: another label would make every stored key unreadable.
    this.key = Buffer.from(hkdfSync('sha256', secrets.jwtSecret, 'plangate', 'planfix signing key', 32));
  }

  /** Makes a new key, replacing any previous one; the clear key is in this answer only. */
  async issue(slug: string): Promise<{ signingKey: string; createdAt: Date }> {
    const signingKey = randomBytes(16).toString('hex');
    return this.store.transaction(async (tx) => {
      const account = await this.accounts.findBySlug(slug, tx, true);
      if (!account) throw DomainError.notFound('account', `account '${slug}' not found`);
      const [row] = await this.store.query<{ createdAt: Date }>(
        `UPDATE accounts SET signing_key = $2, signing_key_created_at = now() WHERE id = $1
         RETURNING signing_key_created_at AS "createdAt"`,
        [account.id, this.encrypt(signingKey)],
        tx,
      );
      return { signingKey, createdAt: row.createdAt };
    });
  }

  /** Deletes the key: 404 when there is none, 409 while a setting requires signatures (a rule that needs the key). */
  async remove(slug: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const account = await this.accounts.findBySlug(slug, tx, true);
      if (!account) throw DomainError.notFound('account', `account '${slug}' not found`);
      if (!account.signingKeySet) throw DomainError.notFound('signing_key', `account '${slug}' has no signing key`);
      const [needsKey] = this.settings.broken(account.settings, { ...account, signingKeySet: false });
      if (needsKey) {
        throw new DomainError('CONFLICT', `the account requires signatures (${needsKey.field}): turn that off first`, {
          entity: 'signing_key',
        });
      }
      await this.store.query(`UPDATE accounts SET signing_key = NULL, signing_key_created_at = NULL WHERE id = $1`, [account.id], tx);
    });
  }

  /** The account's clear signing key, or undefined when it has none. */
  async secretOf(accountId: string): Promise<string | undefined> {
    const [row] = await this.store.query<{ sealed: string | null }>(`SELECT signing_key AS sealed FROM accounts WHERE id = $1`, [
      accountId,
    ]);
    if (!row?.sealed) return undefined;
    let clear = this.clear.get(row.sealed);
    if (clear === undefined) {
      clear = this.decrypt(row.sealed);
      if (this.clear.size >= 1000) this.clear.clear();
      this.clear.set(row.sealed, clear);
    }
    return clear;
  }

  private encrypt(clear: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(clear, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  private decrypt(sealed: string): string {
    const [version, data] = sealed.split(':');
    if (version !== VERSION || !data) throw new Error('unknown signing key format');
    const raw = Buffer.from(data, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
