import { Injectable } from '@nestjs/common';
import { StoreService, type Tx } from '#store';
import { AUTHENTICATE_KEY_SQL, BUMP_EPOCH_SQL, READ_EPOCH_SQL, TOUCH_KEY_SQL } from './identity.queries.js';
import { type PrincipalRow } from './principal-row.js';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface KeyCredentialRow extends PrincipalRow {
  key_id: string;
  secret_sha256: Buffer;
}

const COLUMNS = `id, name, prefix, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly store: StoreService) {}

  insert(accountId: string, userId: string, input: { name: string; prefix: string; sha256: Buffer }, tx?: Tx): Promise<ApiKey> {
    return this.store.write('insert', async () => {
      const [row] = await this.store.query<ApiKey>(
        `INSERT INTO api_keys (account_id, user_id, name, prefix, secret_sha256) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${COLUMNS}`,
        [accountId, userId, input.name, input.prefix, input.sha256],
        tx,
      );
      return row;
    });
  }

  /** Every key of the user, revoked ones included (newest first): never the secret. */
  list(accountId: string, userId: string, tx?: Tx): Promise<ApiKey[]> {
    return this.store.query<ApiKey>(
      `SELECT ${COLUMNS} FROM api_keys WHERE account_id = $1 AND user_id = $2 ORDER BY created_at DESC, name`,
      [accountId, userId],
      tx,
    );
  }

  /** Revokes the user's active key of that name; undefined when there is none. */
  async revoke(accountId: string, userId: string, name: string, tx?: Tx): Promise<ApiKey | undefined> {
    const [row] = await this.store.query<ApiKey>(
      `UPDATE api_keys SET revoked_at = now()
        WHERE account_id = $1 AND user_id = $2 AND name = $3 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [accountId, userId, name],
      tx,
    );
    return row;
  }

  // --- credential lookups: unscoped by nature (the credential names the account) ---

  findActiveByPrefix(prefix: string): Promise<KeyCredentialRow[]> {
    return this.store.query<KeyCredentialRow>(AUTHENTICATE_KEY_SQL, [prefix]);
  }

  async touch(keyId: string): Promise<void> {
    await this.store.query(TOUCH_KEY_SQL, [keyId]);
  }

  async readEpoch(): Promise<bigint> {
    const [row] = await this.store.query<{ epoch: string }>(READ_EPOCH_SQL);
    return BigInt(row.epoch);
  }

  /** Called in the transaction of every change that narrows or withdraws a credential. */
  async bumpEpoch(tx?: Tx): Promise<void> {
    await this.store.query(BUMP_EPOCH_SQL, [], tx);
  }
}
