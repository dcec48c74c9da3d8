import { Injectable } from '@nestjs/common';
import { StoreService, type Tx } from '#store';

export interface Company {
  id: string;
  name: string;
}

/** The key two spellings of one company share: trimmed, case-insensitive. */
export function companyKey(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Companies of an account: one row per name (trimmed, any case), whichever protocol names it first (a file's
 * company, a company contact). The first spelling is kept. The one writer of `companies`: a
 * company named in passing (`findOrCreate`) and a company written as a contact (`create`, `update`) are the same row.
 */
@Injectable()
export class CompaniesRepository {
  constructor(private readonly store: StoreService) {}

  /**
   * The company of that name, created in the caller's transaction when new. Looked up first: an insert that meets
   * the name's conflict would still draw the next contact number (its trigger runs before the conflict).
   */
  async findOrCreate(accountId: string, name: string, tx: Tx): Promise<Company> {
    const trimmed = name.trim();
    const existing = await this.find(accountId, trimmed, tx);
    if (existing) return existing;
    const [created] = await this.store.insert<Company>(
      'companies',
      { account_id: accountId, name: trimmed },
      'ON CONFLICT (account_id, lower(btrim(name))) DO NOTHING RETURNING id, name',
      tx,
    );
    if (created) return created;
    const found = await this.find(accountId, trimmed, tx);
    if (!found) throw new Error('company vanished between insert and select');
    return found;
  }

  /** A company with all the columns a contact gives (its name trimmed); a taken name is CONFLICT. Its contact id. */
  async create(accountId: string, columns: Record<string, unknown>, tx: Tx): Promise<number> {
    const [row] = await this.store.insert<{ contact_id: string }>(
      'companies',
      { account_id: accountId, ...columns },
      'RETURNING contact_id',
      tx,
    );
    return Number(row.contact_id);
  }

  /** The given columns of the company with that contact id. */
  async update(accountId: string, contactId: number, columns: Record<string, unknown>, tx: Tx): Promise<void> {
    await this.store.update('companies', { account_id: accountId, contact_id: contactId }, columns, tx);
  }

  async find(accountId: string, name: string, tx?: Tx): Promise<Company | undefined> {
    const [row] = await this.store.query<Company>(
      `SELECT id, name FROM companies WHERE account_id = $1 AND lower(btrim(name)) = lower(btrim($2))`,
      [accountId, name],
      tx,
    );
    return row;
  }
}
