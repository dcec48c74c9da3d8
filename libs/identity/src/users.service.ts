import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { StoreService, type Tx, type UserRole } from '#store';
import { AccountsService } from './accounts.service.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { IdentityService } from './identity.service.js';
import { hashPassword } from './secrets.js';
import { UsersRepository, type User } from './users.repository.js';

export interface NewUser {
  username: string;
  email: string;
  role: UserRole;
  password?: string;
  assignedClients?: string[];
}

export interface UserPatch {
  email?: string;
  role?: UserRole;
  assignedClients?: string[];
  password?: string;
  active?: boolean;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly store: StoreService,
    private readonly accounts: AccountsService,
    private readonly users: UsersRepository,
    private readonly keys: ApiKeysRepository,
    private readonly identity: IdentityService,
  ) {}

  async create(accountSlug: string, input: NewUser): Promise<User> {
    const account = await this.accounts.get(accountSlug);
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return this.users.insert(account.id, {
      username: input.username,
      email: input.email,
      role: input.role,
      assignedClients: input.assignedClients ?? [],
      passwordHash,
    });
  }

  async list(accountSlug: string): Promise<User[]> {
    const account = await this.accounts.get(accountSlug);
    return this.users.list(account.id);
  }

  async get(accountSlug: string, username: string, tx?: Tx): Promise<User> {
    const account = await this.accounts.get(accountSlug, tx);
    const user = await this.users.find(account.id, username, tx);
    if (!user) throw DomainError.notFound('user', `user '${username}' not found in account '${accountSlug}'`);
    return user;
  }

  async update(accountSlug: string, username: string, patch: UserPatch): Promise<User> {
    const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
    const updated = await this.store.transaction(async (tx) => {
      const account = await this.accounts.get(accountSlug, tx);
      const user = await this.users.find(account.id, username, tx, true);
      if (!user) throw DomainError.notFound('user', `user '${username}' not found in account '${accountSlug}'`);
      const row = await this.users.update(account.id, user.id, { ...patch, passwordHash }, tx);
      await this.keys.bumpEpoch(tx);
      return row;
    });
    this.identity.invalidate();
    return updated;
  }
}
