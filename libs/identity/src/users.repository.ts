import { Injectable } from '@nestjs/common';
import { StoreService, type Tx, type UserRole } from '#store';

export interface User {
  id: string;
  number: number;
  accountId: string;
  username: string;
  email: string;
  role: UserRole;
  assignedClients: string[];
  active: boolean;
  createdAt: Date;
}

const COLUMNS = `id, number, account_id AS "accountId", username, email, role, assigned_clients AS "assignedClients",
  active, created_at AS "createdAt"`;

/** Users of one account: every method takes the account first; another account's user is "not found". */
@Injectable()
export class UsersRepository {
  constructor(private readonly store: StoreService) {}

  insert(
    accountId: string,
    input: { username: string; email: string; role: UserRole; assignedClients: string[]; passwordHash: string | null },
    tx?: Tx,
  ): Promise<User> {
    return this.store.write('insert', async () => {
      const [row] = await this.store.query<User>(
        `INSERT INTO users (account_id, username, email, role, assigned_clients, password_hash)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING ${COLUMNS}`,
        [accountId, input.username, input.email, input.role, JSON.stringify(input.assignedClients), input.passwordHash],
        tx,
      );
      return row;
    });
  }

  list(accountId: string, tx?: Tx): Promise<User[]> {
    return this.store.query<User>(`SELECT ${COLUMNS} FROM users WHERE account_id = $1 ORDER BY username`, [accountId], tx);
  }

  async find(accountId: string, username: string, tx?: Tx, lock = false): Promise<User | undefined> {
    const [row] = await this.store.query<User>(
      `SELECT ${COLUMNS} FROM users WHERE account_id = $1 AND lower(username) = lower($2)${lock ? ' FOR UPDATE' : ''}`,
      [accountId, username],
      tx,
    );
    return row;
  }

  /**
   * Changes a user. A new password or a deactivation moves `tokens_valid_after`, the password version: every session
   * and token of an earlier password login dies, and stays dead if the user is activated again.
   */
  update(
    accountId: string,
    userId: string,
    fields: Partial<{ email: string; role: UserRole; assignedClients: string[]; passwordHash: string; active: boolean }>,
    tx?: Tx,
  ): Promise<User> {
    return this.store.write('update', async () => {
      const [row] = await this.store.query<User>(
        `UPDATE users SET email = coalesce($3, email), role = coalesce($4, role),
                assigned_clients = coalesce($5::jsonb, assigned_clients), password_hash = coalesce($6, password_hash),
                tokens_valid_after = CASE WHEN $6::text IS NULL AND $7::boolean IS DISTINCT FROM false THEN tokens_valid_after ELSE clock_timestamp() END,
                active = coalesce($7, active), updated_at = now()
          WHERE account_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [
          accountId,
          userId,
          fields.email ?? null,
          fields.role ?? null,
          fields.assignedClients ? JSON.stringify(fields.assignedClients) : null,
          fields.passwordHash ?? null,
          fields.active ?? null,
        ],
        tx,
      );
      return row;
    });
  }

  /** Moves the password version of every user of the account: their password logins end (the account is disabled). */
  async endPasswordLogins(accountId: string, tx?: Tx): Promise<void> {
    await this.store.query(`UPDATE users SET tokens_valid_after = clock_timestamp() WHERE account_id = $1`, [accountId], tx);
  }
}
