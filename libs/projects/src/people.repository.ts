import { Injectable } from '@nestjs/common';
import { type Principal } from '#identity';
import { StoreService, type Tx, type UserRole } from '#store';
import { fitsInt4, notFound } from './issues.js';
import { type PeopleByRole } from './members.js';
import { paged, type Page, type Paged } from './paging.js';

/** A user of the account as the planning records name it: `number` is the id clients see, `username` the name. */
export interface Person {
  id: string;
  number: number;
  /** 1, 2, 3… within the account, in the order users were made. */
  general: number;
  username: string;
  email: string;
  role: UserRole;
  active: boolean;
}

/** How a record names a user: the numeric id and the name. */
export interface PersonRef {
  number: number;
  username: string;
}

export type PeopleSort = 'NAME_ASC' | 'NAME_DESC' | 'ROLE_ASC' | 'ROLE_DESC' | 'ISACTIVE_ASC' | 'ISACTIVE_DESC';

const ORDER: Record<PeopleSort, string> = {
  NAME_ASC: 'lower(username), number',
  NAME_DESC: 'lower(username) DESC, number',
  ROLE_ASC: 'role, lower(username), number',
  ROLE_DESC: 'role DESC, lower(username), number',
  ISACTIVE_ASC: 'active, lower(username), number',
  ISACTIVE_DESC: 'active DESC, lower(username), number',
};

const RANKED = `SELECT id, number, username, email, role, active,
       row_number() OVER (ORDER BY number)::int AS general
  FROM users WHERE account_id = $1`;

/** The account's users, read for the planning protocols (identity owns their writes). */
@Injectable()
export class PeopleRepository {
  constructor(private readonly store: StoreService) {}

  async list(accountId: string, filter: { active: boolean; sort: PeopleSort }, page: Page): Promise<Paged<Person>> {
    return paged(
      page,
      (limit, offset) =>
        this.store.query<Person & { total_count: string }>(
          `SELECT *, count(*) OVER () AS total_count FROM (${RANKED}) u WHERE active = $2 ORDER BY ${ORDER[filter.sort]} LIMIT $3 OFFSET $4`,
          [accountId, filter.active, limit, offset],
        ),
      async () => {
        const [row] = await this.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE account_id = $1 AND active = $2`, [
          accountId,
          filter.active,
        ]);
        return row.n;
      },
      (rows) => rows.map(({ total_count: _, ...p }) => p),
    );
  }

  /** A user of the account by its id (number) or general; user not found otherwise. */
  async get(accountId: string, ref: { id?: number; general?: number }, tx?: Tx): Promise<Person> {
    const byGeneral = ref.general !== undefined;
    if (!fitsInt4(byGeneral ? ref.general : ref.id)) throw notFound('user');
    const [row] = await this.store.query<Person>(
      `SELECT * FROM (${RANKED}) u WHERE ${byGeneral ? 'general' : 'number'} = $2`,
      [accountId, byGeneral ? ref.general : ref.id],
      tx,
    );
    if (!row) throw notFound('user');
    return row;
  }

  /** The caller as a Person. */
  self(p: Principal, tx?: Tx): Promise<Person> {
    return this.get(p.accountId, { id: p.userNumber }, tx);
  }

  /** A record's owner: undefined keeps it, 0 is the caller, another number a user of the account (else user not found). */
  async owner(p: Principal, ownerNumber: number | undefined, tx?: Tx): Promise<string | undefined> {
    if (ownerNumber === undefined) return undefined;
    return ownerNumber === 0 ? p.userId : (await this.resolve(p.accountId, [ownerNumber], tx))[0].id;
  }

  /** User lists by role (numbers → ids); roles not given are left out, so their lists stay as they are. */
  async byRole<R extends string>(accountId: string, lists: Record<R, number[] | undefined>, tx?: Tx): Promise<PeopleByRole<R>> {
    const people: PeopleByRole<R> = {};
    for (const [role, numbers] of Object.entries(lists) as [R, number[] | undefined][]) {
      if (numbers) people[role] = (await this.resolve(accountId, numbers, tx)).map((u) => u.id);
    }
    return people;
  }

  /** Users of the account by number, in the order given; any unknown number → user not found. */
  async resolve(accountId: string, numbers: readonly number[], tx?: Tx): Promise<{ id: string; number: number }[]> {
    const unique = [...new Set(numbers)];
    if (unique.length === 0) return [];
    if (!unique.every(fitsInt4)) throw notFound('user');
    const rows = await this.store.query<{ id: string; number: number }>(
      `SELECT id, number FROM users WHERE account_id = $1 AND number = ANY($2::int[])`,
      [accountId, unique],
      tx,
    );
    if (rows.length !== unique.length) throw notFound('user');
    const byNumber = new Map(rows.map((r) => [Number(r.number), r]));
    return unique.map((n) => byNumber.get(n)!);
  }
}
