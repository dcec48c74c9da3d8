import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { StoreService, type AccountPlan, type AccountStatus, type Tx } from '#store';
import { SettingsRegistry } from './account-settings.js';
import { AccountsRepository, type Account } from './accounts.repository.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { IdentityService } from './identity.service.js';
import { UsersRepository } from './users.repository.js';

export interface AccountPatch {
  name?: string;
  plan?: AccountPlan;
  status?: AccountStatus;
  settings?: Record<string, unknown>;
}

/** The operator's side of accounts (Admin API, CLI, demo seed). */
@Injectable()
export class AccountsService {
  constructor(
    private readonly store: StoreService,
    private readonly accounts: AccountsRepository,
    private readonly keys: ApiKeysRepository,
    private readonly users: UsersRepository,
    private readonly identity: IdentityService,
    private readonly settings: SettingsRegistry,
  ) {}

  async create(input: { slug: string; name: string; plan?: AccountPlan }): Promise<Account> {
    const account = await this.accounts.insert({ slug: input.slug, name: input.name, plan: input.plan ?? 'basic' });
    return { ...account, usersCount: 0 };
  }

  list(): Promise<Account[]> {
    return this.accounts.list();
  }

  async get(slug: string, tx?: Tx): Promise<Account> {
    const account = await this.accounts.findBySlug(slug, tx);
    if (!account) throw DomainError.notFound('account', `account '${slug}' not found`);
    return account;
  }

  /** Changes name, plan, status or settings (merged field by field) in one transaction; all or nothing. */
  async update(slug: string, patch: AccountPatch): Promise<Account> {
    const updated = await this.store.transaction(async (tx) => {
      const account = await this.accounts.findBySlug(slug, tx, true);
      if (!account) throw DomainError.notFound('account', `account '${slug}' not found`);
      const settings = patch.settings === undefined ? undefined : this.settings.merge(account.settings, patch.settings);
      if (settings) this.settings.check(settings, account);
      const row = await this.accounts.update(account.id, { name: patch.name, plan: patch.plan, status: patch.status, settings }, tx);
      // Disabling ends its users' password logins for good: enabling the account again does not revive them.
      if (patch.status === 'disabled') await this.users.endPasswordLogins(account.id, tx);
      // Status, plan and settings travel inside cached principals: every instance must drop them.
      await this.keys.bumpEpoch(tx);
      return row;
    });
    this.identity.invalidate();
    return updated;
  }
}
