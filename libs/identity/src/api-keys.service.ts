import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { StoreService } from '#store';
import { ApiKeysRepository, type ApiKey } from './api-keys.repository.js';
import { IdentityService } from './identity.service.js';
import { apiKeyPrefix, generateApiKey, sha256 } from './secrets.js';
import { UsersService } from './users.service.js';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly store: StoreService,
    private readonly users: UsersService,
    private readonly keys: ApiKeysRepository,
    private readonly identity: IdentityService,
  ) {}

  /** Makes a key and returns its secret this once; only its prefix and SHA-256 are stored. */
  async create(accountSlug: string, username: string, name: string): Promise<ApiKey & { key: string }> {
    const user = await this.users.get(accountSlug, username);
    const key = generateApiKey();
    const row = await this.keys.insert(user.accountId, user.id, { name, prefix: apiKeyPrefix(key), sha256: sha256(key) });
    return { ...row, key };
  }

  async list(accountSlug: string, username: string): Promise<ApiKey[]> {
    const user = await this.users.get(accountSlug, username);
    return this.keys.list(user.accountId, user.id);
  }

  /** Immediate and permanent: refused by this instance at once, by every other within the epoch poll. */
  async revoke(accountSlug: string, username: string, name: string): Promise<ApiKey> {
    const revoked = await this.store.transaction(async (tx) => {
      const user = await this.users.get(accountSlug, username, tx);
      const row = await this.keys.revoke(user.accountId, user.id, name, tx);
      if (!row) throw DomainError.notFound('api_key', `key '${name}' not found for user '${username}'`);
      await this.keys.bumpEpoch(tx);
      return row;
    });
    this.identity.invalidate();
    return revoked;
  }
}
