import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError, type FieldIssue } from '#errors';
import { type Principal } from '#identity';
import { GatewaySecrets, StoreService, type Tx } from '#store';
import { AddressPolicy, AddressRefused, resolveChecked } from './address-guard.js';
import { issue } from './aliases.js';
import { decodeCursor, toPage, type Page, type PageRequest } from './cursor.js';
import {
  fullConfig,
  parseDestinationConfig,
  type Connector,
  type DestinationConfig,
  type PostgresPublic,
  type WebhookPublic,
} from './destination-config.js';
import { newId, isId } from './ids.js';
import { type ObjectSchema } from './mapping.js';
import { PostgresConnectError, PostgresDestination } from './postgres-destination.js';
import { SecretBox } from './secret-box.js';

export const MAX_DESTINATIONS = 100;
const SCHEMA_TTL_MS = 60_000;
const CONNECT_CHECK_MS = 10_000;

export interface Destination {
  id: string;
  name: string;
  connector: Connector;
  config: WebhookPublic | PostgresPublic;
  status: 'connected' | 'error' | 'unknown';
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A destination with its secrets, for the run engine only: never rendered, never logged. */
export interface OpenDestination extends Destination {
  full: DestinationConfig;
}

interface Row {
  id: string;
  name: string;
  connector: Connector;
  config: WebhookPublic | PostgresPublic;
  status: Destination['status'];
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, name, connector, config, status, last_error, created_at, updated_at`;

function toDestination(r: Row): Destination {
  return {
    id: r.id,
    name: r.name,
    connector: r.connector,
    config: r.config,
    status: r.status,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function notFound(): DomainError {
  return DomainError.notFound('destination', 'no such destination');
}

function invalid(issues: FieldIssue[]): DomainError {
  return DomainError.invalid(issues, `${issues.length} field${issues.length === 1 ? ' is' : 's are'} invalid`);
}

export interface DestinationInput {
  name?: unknown;
  connector?: unknown;
  config?: unknown;
}

/** The schema of a webhook's declared object, as a sync sees it. */
function declaredObject(o: WebhookPublic['objects'][number]): ObjectSchema {
  const keyFields = o.fields.filter((f) => f.isIdentifier).map((f) => f.name);
  return {
    name: o.name,
    label: o.label ?? o.name,
    fields: o.fields.map((f) => ({
      name: f.name,
      label: f.name,
      dataType: f.type,
      required: !!f.required,
      nullable: !f.required,
      isIdentifier: !!f.isIdentifier,
      writable: true,
      maxLength: f.maxLength ?? null,
    })),
    keyFields,
    modes: keyFields.length ? ['upsert', 'insert', 'update', 'delete'] : ['insert'],
  };
}

/**
 * Destinations of an account (docs/reverse-etl.md): secrets sealed at rest and never returned; a postgres
 * destination is connected to and its schema read before it is stored; objects and fields discovered live (postgres,
 * cached ≤ 60 s) or from the declared schema (webhook).
 */
@Injectable()
export class DestinationsService {
  private readonly box: SecretBox;
  /** The address rule of this gateway's destinations (RETL_ALLOW_HOSTS), for the run engine too. */
  readonly addresses: AddressPolicy;
  private readonly schemas = new Map<string, { at: number; objects: ObjectSchema[] }>();

  constructor(
    private readonly store: StoreService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    secrets: GatewaySecrets,
  ) {
    this.box = new SecretBox(secrets.jwtSecret);
    this.addresses = new AddressPolicy(config.retl.allowHosts);
  }

  async list(p: Principal, filters: { connector?: Connector }, page: PageRequest): Promise<Page<Destination>> {
    const f = { connector: filters.connector ?? null };
    const after = page.after === undefined ? '' : decodeCursor('destinations', f, page.after);
    const rows = await this.store.query<Row>(
      `SELECT ${COLUMNS} FROM retl_destinations
        WHERE account_id = $1 AND id > $2 AND ($3::text IS NULL OR connector = $3)
        ORDER BY id LIMIT $4`,
      [p.accountId, after, f.connector, page.limit + 1],
    );
    return toPage('destinations', f, rows.map(toDestination), page.limit, (d) => d.id);
  }

  async get(p: Principal, id: string, tx?: Tx): Promise<Destination> {
    if (!isId('destination', id)) throw notFound();
    const [row] = await this.store.query<Row>(
      `SELECT ${COLUMNS} FROM retl_destinations WHERE account_id = $1 AND id = $2`,
      [p.accountId, id],
      tx,
    );
    if (!row) throw notFound();
    return toDestination(row);
  }

  /** With its secrets (run engine): by account and id. */
  async open(accountId: string, id: string, tx?: Tx): Promise<OpenDestination | undefined> {
    const [row] = await this.store.query<Row & { secrets: Buffer }>(
      `SELECT ${COLUMNS}, secrets FROM retl_destinations WHERE account_id = $1 AND id = $2`,
      [accountId, id],
      tx,
    );
    if (!row) return undefined;
    const secrets = this.box.open<DestinationConfig['secrets']>(row.secrets);
    return { ...toDestination(row), full: { connector: row.connector, public: row.config, secrets } as DestinationConfig };
  }

  async create(p: Principal, input: DestinationInput): Promise<Destination> {
    const issues: FieldIssue[] = [];
    const name = this.name(input.name, issues, true);
    const { config, issues: configIssues } = parseDestinationConfig(input.connector, input.config);
    issues.push(...configIssues);
    if (issues.length || !config) throw invalid(issues);
    const status = await this.verify(config);
    const id = newId('destination');
    return this.store.transaction(async (tx) => {
      const [{ n }] = await this.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM retl_destinations WHERE account_id = $1`,
        [p.accountId],
        tx,
      );
      if (n >= MAX_DESTINATIONS) throw quotaExceeded(`at most ${MAX_DESTINATIONS} destinations per account`);
      const [row] = await this.store.query<Row>(
        `INSERT INTO retl_destinations (id, account_id, name, connector, config, secrets, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [id, p.accountId, name, config.connector, JSON.stringify(config.public), this.box.seal(config.secrets), status],
        tx,
      );
      return toDestination(row);
    });
  }

  /** PUT: `name`, `config` merged key by key (a secret given replaces it), validated whole, re-checked. */
  async update(p: Principal, id: string, input: DestinationInput): Promise<Destination> {
    const current = await this.open(p.accountId, (await this.get(p, id)).id);
    if (!current) throw notFound();
    const issues: FieldIssue[] = [];
    const name = input.name === undefined ? current.name : this.name(input.name, issues, true);
    if (input.connector !== undefined && input.connector !== current.connector)
      issues.push(issue('connector', 'invalid_value', 'the connector of a destination cannot change'));
    if (input.config !== undefined && (typeof input.config !== 'object' || input.config === null || Array.isArray(input.config))) {
      issues.push(issue('config', 'invalid_value', 'must be an object'));
    }
    if (issues.length) throw invalid(issues);
    let config = current.full;
    let status = current.status;
    if (input.config !== undefined) {
      const merged = { ...fullConfig(current.full), ...(input.config as Record<string, unknown>) };
      const parsed = parseDestinationConfig(current.connector, merged);
      if (!parsed.config) throw invalid(parsed.issues);
      config = parsed.config;
      status = await this.verify(config);
      this.schemas.delete(id);
    }
    const [row] = await this.store.query<Row>(
      `UPDATE retl_destinations SET name = $3, config = $4, secrets = $5, status = $6, last_error = CASE WHEN $7 THEN NULL ELSE last_error END,
              updated_at = clock_timestamp()
        WHERE account_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [p.accountId, id, name, JSON.stringify(config.public), this.box.seal(config.secrets), status, input.config !== undefined],
    );
    if (!row) throw notFound();
    return toDestination(row);
  }

  /** 409 `destination_in_use` while a sync (not deleted) uses it. */
  async delete(p: Principal, id: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const [row] = await this.store.query<{ id: string }>(
        `SELECT id FROM retl_destinations WHERE account_id = $1 AND id = $2 FOR UPDATE`,
        [p.accountId, id],
        tx,
      );
      if (!row || !isId('destination', id)) throw notFound();
      const [use] = await this.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM retl_syncs WHERE destination_id = $1 AND deleted_at IS NULL`,
        [id],
        tx,
      );
      if (use.n > 0) {
        throw new DomainError('CONFLICT', `the destination is used by ${use.n} sync${use.n === 1 ? '' : 's'}`, {
          entity: 'destination',
          fields: [{ field: 'id', issue: 'in use by a sync', type: 'destination_in_use' }],
        });
      }
      await this.store.query(`DELETE FROM retl_destinations WHERE id = $1`, [id], tx);
    });
    this.schemas.delete(id);
  }

  /** The destination's objects (docs/reverse-etl.md): declared (webhook), live tables (postgres, cached ≤ 60 s). */
  async objects(p: Principal, id: string): Promise<{ destination: Destination; objects: ObjectSchema[]; schemaless: boolean }> {
    const destination = await this.get(p, id);
    if (destination.connector === 'webhook') {
      const declared = (destination.config as WebhookPublic).objects ?? [];
      return {
        destination,
        objects: declared.map(declaredObject).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
        schemaless: declared.length === 0,
      };
    }
    const cached = this.schemas.get(id);
    if (cached && Date.now() - cached.at < SCHEMA_TTL_MS) return { destination, objects: cached.objects, schemaless: false };
    const open = await this.open(p.accountId, id);
    if (!open) throw notFound();
    const pgDest = new PostgresDestination(open.full.public as PostgresPublic, open.full.secrets as { url: string }, this.addresses);
    try {
      const objects = await withTimeout(pgDest.introspect(), CONNECT_CHECK_MS);
      this.schemas.set(id, { at: Date.now(), objects });
      await this.setStatus(id, 'connected', null);
      return { destination, objects, schemaless: false };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await this.setStatus(id, 'error', message);
      throw invalid([issue('destination_id', e instanceof AddressRefused ? 'forbidden_address' : 'connection_failed', message)]);
    } finally {
      await pgDest.close();
    }
  }

  /** One object of a destination as a sync sees it; undefined when it has none of that name (schemaless: any name). */
  async object(p: Principal, id: string, name: string): Promise<ObjectSchema | undefined> {
    const { objects, schemaless } = await this.objects(p, id);
    if (schemaless)
      return /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(name)
        ? { name, label: name, fields: null, keyFields: [], modes: ['upsert', 'insert', 'update', 'delete'] }
        : undefined;
    return objects.find((o) => o.name === name);
  }

  async setStatus(id: string, status: 'connected' | 'error', lastError: string | null): Promise<void> {
    await this.store.query(
      `UPDATE retl_destinations SET status = $2, last_error = $3 WHERE id = $1 AND (status IS DISTINCT FROM $2 OR last_error IS DISTINCT FROM $3)`,
      [id, status, lastError?.slice(0, 500) ?? null],
    );
  }

  private name(raw: unknown, issues: FieldIssue[], required: boolean): string {
    if (raw === undefined || raw === null || raw === '') {
      if (required) issues.push(issue('name', 'missing', 'required'));
      return '';
    }
    if (typeof raw !== 'string' || !raw.trim()) issues.push(issue('name', 'invalid_value', 'must be text'));
    else if (raw.length > 200) issues.push(issue('name', 'too_long', 'at most 200 characters'));
    return typeof raw === 'string' ? raw.trim() : '';
  }

  /** Before storing: the address rule for both (postgres: on the host its driver will use); postgres connects and reads its schema within 10 s. */
  private async verify(config: DestinationConfig): Promise<'connected' | 'unknown'> {
    if (config.connector === 'webhook') {
      const host = new URL(config.secrets.url).hostname;
      try {
        await resolveChecked(host, this.addresses);
      } catch (e) {
        if (e instanceof AddressRefused) throw invalid([issue('config.url', 'forbidden_address', e.message)]);
        // not resolvable now: nothing is sent at creation, and every request checks again
      }
      return 'unknown';
    }
    const dest = new PostgresDestination(config.public, config.secrets, this.addresses);
    try {
      await withTimeout(dest.introspect(), CONNECT_CHECK_MS);
      return 'connected';
    } catch (e) {
      if (e instanceof AddressRefused) throw invalid([issue('config.url', 'forbidden_address', e.message)]);
      const message = e instanceof PostgresConnectError || e instanceof Error ? e.message : 'cannot connect';
      throw invalid([issue('config.url', 'connection_failed', message)]);
    } finally {
      await dest.close();
    }
  }
}

export function quotaExceeded(message: string): DomainError {
  return new DomainError('CONFLICT', message, {
    entity: 'account',
    fields: [{ field: 'account', issue: message, type: 'quota_exceeded' }],
  });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
