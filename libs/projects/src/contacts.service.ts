import { Injectable } from '@nestjs/common';
import { type Principal } from '#identity';
import { CompaniesRepository } from '#planning';
import { StoreService, type Tx } from '#store';
import { issue, ISSUE, missing, notAllowed, notFound } from './issues.js';
import { paged, type Page, type Paged } from './paging.js';
import { plausibleRef, refColumn, type Ref } from './refs.js';

export interface Phone {
  number: string;
  typeId: number | null;
  typeName: string;
}

/** The text fields a contact carries, people and companies alike. */
export interface ContactFields {
  name: string;
  midName: string;
  lastName: string;
  post: string;
  email: string;
  phones: Phone[];
  address: string;
  description: string;
  sex: 'MALE' | 'FEMALE' | null;
  site: string;
  skype: string;
  facebook: string;
  vk: string;
  icq: string;
  /** YYYY-MM-DD */
  birthdate: string | null;
}

/** A person (`contacts`) or a company (`companies`, the rows other records name by company name). */
export interface Contact extends ContactFields {
  id: number;
  general: number;
  isCompany: boolean;
}

export type ContactInput = Partial<ContactFields> & { isCompany?: boolean };

export interface ContactFilter {
  target: 'contact' | 'company' | 'template';
  search?: string;
}

/** What a record's `client` or an action's subject names: a person or a company, with its display name. */
export interface ContactRef {
  id: number;
  name: string;
}

/** A resolved contact, as the columns that point at it. */
export type ContactTarget = { kind: 'person'; id: number } | { kind: 'company'; id: string; contactId: number };

/** The `client_contact_id` and `client_company_id` values of a record whose client is `target` (null: none). */
export function clientColumns(target: ContactTarget | null): [number | null, string | null] {
  if (!target) return [null, null];
  return target.kind === 'person' ? [target.id, null] : [null, target.id];
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

const FIELDS = `general, name, mid_name AS "midName", last_name AS "lastName", post, email, phones, address, description,
  sex, site, skype, facebook, vk, icq, to_char(birthdate, 'YYYY-MM-DD') AS birthdate`;
const PEOPLE = `SELECT id, false AS "isCompany", ${FIELDS}, account_id FROM contacts`;
const COMPANIES = `SELECT contact_id AS id, true AS "isCompany", ${FIELDS}, account_id FROM companies`;
const BOTH = `(${PEOPLE} UNION ALL ${COMPANIES})`;

/** The column of each editable field, in both tables. */
const COLUMN: Record<keyof ContactFields, string> = {
  name: 'name',
  midName: 'mid_name',
  lastName: 'last_name',
  post: 'post',
  email: 'email',
  phones: 'phones',
  address: 'address',
  description: 'description',
  sex: 'sex',
  site: 'site',
  skype: 'skype',
  facebook: 'facebook',
  vk: 'vk',
  icq: 'icq',
  birthdate: 'birthdate',
};

function normalize(row: Contact): Contact {
  return { ...row, id: Number(row.id), general: Number(row.general) };
}

function checkEmail(email: string | undefined): void {
  if (email && (email.length > 254 || !EMAIL.test(email))) throw issue(ISSUE.email, 'email', 'is not an e-mail address');
}

/**
 * Contacts of an account: people in `contacts` (written here), companies in `companies` (one row per name, written by
 * CompaniesRepository, which other records name too). Both draw their id from one sequence and their `general` from
 * one counter, so an id or general names one of them.
 */
@Injectable()
export class ContactsService {
  constructor(
    private readonly store: StoreService,
    private readonly companies: CompaniesRepository,
  ) {}

  async list(p: Principal, filter: ContactFilter, page: Page): Promise<Paged<Contact>> {
    if (filter.target === 'template') return { total: 0, items: [] };
    const source = filter.target === 'company' ? COMPANIES : PEOPLE;
    const params: unknown[] = [p.accountId];
    let where = 'c.account_id = $1';
    if (filter.search) {
      params.push(filter.search.toLowerCase());
      where += ` AND (strpos(lower(c.name), $2) > 0 OR strpos(lower(c."lastName"), $2) > 0 OR strpos(lower(c.email), $2) > 0)`;
    }
    return paged(
      page,
      (limit, offset) =>
        this.store.query<Contact & { total_count: string }>(
          `SELECT c.*, count(*) OVER () AS total_count FROM (${source}) c WHERE ${where}
            ORDER BY c.general LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
          [...params, limit, offset],
        ),
      async () => (await this.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${source}) c WHERE ${where}`, params))[0].n,
      (rows) => rows.map(({ total_count: _, ...c }) => normalize(c as Contact)),
    );
  }

  async get(p: Principal, ref: Ref, tx?: Tx): Promise<Contact> {
    const found = await this.find(p.accountId, ref, tx);
    if (!found) throw notFound('contact');
    return found;
  }

  async add(p: Principal, input: ContactInput): Promise<Contact> {
    checkEmail(input.email);
    if (input.isCompany) {
      if (!input.name?.trim()) throw missing('name');
    } else if (!input.name?.trim() && !input.lastName?.trim()) {
      throw missing('name');
    }
    const columns = contactColumns(input, input.isCompany ?? false);
    return this.store.transaction(async (tx) => {
      const id = input.isCompany
        ? await this.companies.create(p.accountId, columns, tx)
        : Number((await this.store.insert<{ id: string }>('contacts', { account_id: p.accountId, ...columns }, 'RETURNING id', tx))[0].id);
      return (await this.find(p.accountId, { id }, tx))!;
    });
  }

  /** Absent fields keep their value, empty ones clear it; whether it is a company cannot change. */
  async update(p: Principal, ref: Ref, patch: ContactInput): Promise<Contact> {
    checkEmail(patch.email);
    return this.store.transaction(async (tx) => {
      const current = await this.find(p.accountId, ref, tx, true);
      if (!current) throw notFound('contact');
      if (patch.isCompany !== undefined && patch.isCompany !== current.isCompany) throw notAllowed('isCompany', 'cannot change');
      const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as ContactInput;
      const next = { ...current, ...given };
      if (current.isCompany ? !next.name.trim() : !next.name.trim() && !next.lastName.trim()) throw missing('name');
      const columns = contactColumns(patch, current.isCompany);
      if (current.isCompany) await this.companies.update(p.accountId, current.id, columns, tx);
      else await this.store.update('contacts', { account_id: p.accountId, id: current.id }, columns, tx);
      return (await this.find(p.accountId, { id: current.id }, tx))!;
    });
  }

  /** A record's client: undefined keeps it, null clears it, an id names a person or company of the account (else contact not found). */
  async client(accountId: string, clientId: number | null | undefined, tx?: Tx): Promise<ContactTarget | null | undefined> {
    if (clientId === undefined || clientId === null) return clientId;
    return this.target(accountId, { id: clientId }, tx);
  }

  /** The person or company a record's client or an action names (contact not found otherwise). */
  async target(accountId: string, ref: Ref, tx?: Tx): Promise<ContactTarget> {
    const found = await this.locate(accountId, ref, tx);
    if (!found) throw notFound('contact');
    return found;
  }

  async find(accountId: string, ref: Ref, tx?: Tx, lock = false): Promise<Contact | undefined> {
    if (!plausibleRef(ref)) return undefined;
    if (lock) {
      const located = await this.locate(accountId, ref, tx, true);
      if (!located) return undefined;
    }
    const [column, value] = refColumn(ref);
    const [row] = await this.store.query<Contact>(
      `SELECT c.* FROM ${BOTH} c WHERE c.account_id = $1 AND c.${column} = $2`,
      [accountId, value],
      tx,
    );
    if (!row) return undefined;
    const { account_id: _, ...contact } = row as Contact & { account_id: string };
    return normalize(contact);
  }

  private async locate(accountId: string, ref: Ref, tx?: Tx, lock = false): Promise<ContactTarget | undefined> {
    if (!plausibleRef(ref)) return undefined;
    const byGeneral = ref.general !== undefined;
    const value = byGeneral ? ref.general : ref.id;
    const suffix = lock ? ' FOR UPDATE' : '';
    const [person] = await this.store.query<{ id: string }>(
      `SELECT id FROM contacts WHERE account_id = $1 AND ${byGeneral ? 'general' : 'id'} = $2${suffix}`,
      [accountId, value],
      tx,
    );
    if (person) return { kind: 'person', id: Number(person.id) };
    const [company] = await this.store.query<{ id: string; contact_id: string }>(
      `SELECT id, contact_id FROM companies WHERE account_id = $1 AND ${byGeneral ? 'general' : 'contact_id'} = $2${suffix}`,
      [accountId, value],
      tx,
    );
    return company ? { kind: 'company', id: company.id, contactId: Number(company.contact_id) } : undefined;
  }
}

/** The columns of the fields given, as stored: a company's name trimmed, phones as JSON, an empty sex or date as null. */
function contactColumns(input: Partial<ContactFields>, isCompany: boolean): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(COLUMN) as [keyof ContactFields, string][]) {
    const value = input[field];
    if (value === undefined) continue;
    if (field === 'phones') columns[column] = JSON.stringify(value ?? []);
    else if (field === 'sex' || field === 'birthdate') columns[column] = value === '' ? null : value;
    else columns[column] = field === 'name' && isCompany ? (value as string).trim() : value;
  }
  return columns;
}
