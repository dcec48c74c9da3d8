import { Injectable } from '@nestjs/common';
import { StoreService, type AccountPlan, type AccountStatus, type Tx } from '#store';
import { type StoredSettings } from './account-settings.js';

export interface Account {
  id: string;
  slug: string;
  name: string;
  plan: AccountPlan;
  status: AccountStatus;
  settings: StoredSettings;
  createdAt: Date;
  usersCount?: number;
  /** Whether a signing key for signed requests is set (the key itself is read only by SigningKeysService). */
  signingKeySet: boolean;
}

const COLUMNS = `id, slug, name, plan, status, settings, created_at AS "createdAt",
  signing_key IS NOT NULL AS "signingKeySet"`;

/** Accounts are the tenants themselves: the operator (Admin API) addresses them by slug. */
@Injectable()
export class AccountsRepository {
  constructor(private readonly store: StoreService) {}

  insert(input: { slug: string; name: string; plan: AccountPlan }, tx?: Tx): Promise<Account> {
    return this.store.write('insert', async () => {
      const [row] = await this.store.query<Account>(
        `INSERT INTO accounts (slug, name, plan) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
        [input.slug, input.name, input.plan],
        tx,
      );
      return row;
    });
  }

  list(tx?: Tx): Promise<Account[]> {
    return this.store.query<Account>(
      `SELECT ${COLUMNS}, (SELECT count(*)::int FROM users u WHERE u.account_id = a.id) AS "usersCount"
         FROM accounts a ORDER BY slug`,
      [],
      tx,
    );
  }

  async findBySlug(slug: string, tx?: Tx, lock = false): Promise<Account | undefined> {
    const [row] = await this.store.query<Account>(
      `SELECT ${COLUMNS}, (SELECT count(*)::int FROM users u WHERE u.account_id = a.id) AS "usersCount"
         FROM accounts a WHERE slug = $1${lock ? ' FOR UPDATE' : ''}`,
      [slug],
      tx,
    );
    return row;
  }

  update(id: string, fields: Partial<Pick<Account, 'name' | 'plan' | 'status' | 'settings'>>, tx?: Tx): Promise<Account> {
    return this.store.write('update', async () => {
      const [row] = await this.store.query<Account>(
        `UPDATE accounts a SET name = coalesce($2, name), plan = coalesce($3, plan), status = coalesce($4, status),
                settings = coalesce($5::jsonb, settings), updated_at = now()
          WHERE id = $1
          RETURNING ${COLUMNS}, (SELECT count(*)::int FROM users u WHERE u.account_id = a.id) AS "usersCount"`,
        [id, fields.name ?? null, fields.plan ?? null, fields.status ?? null, fields.settings ? JSON.stringify(fields.settings) : null],
        tx,
      );
      return row;
    });
  }
}
