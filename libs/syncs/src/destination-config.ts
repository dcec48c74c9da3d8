import { type FieldIssue } from '#errors';
import { parse as parsePgUrl } from 'pg-connection-string';
import { isObject, issue, pick } from './aliases.js';
import { DATA_TYPES, type DataType, type DeclaredField } from './values.js';

export type Connector = 'webhook' | 'postgres';
export const CONNECTORS: readonly Connector[] = ['webhook', 'postgres'];

export interface DeclaredObject {
  name: string;
  label?: string;
  fields: DeclaredField[];
}

/** What a webhook destination keeps in the clear. */
export interface WebhookPublic {
  method: 'POST' | 'PUT';
  batchSize: number;
  timeoutMs: number;
  maxRetries: number;
  objects: DeclaredObject[];
  /** scheme://host:port/path, no userinfo, no query */
  urlShown: string;
  headerNames: string[];
  signing: boolean;
}
export interface WebhookSecrets {
  url: string;
  headers: Record<string, string>;
  signingSecret: string | null;
}
export interface PostgresPublic {
  schema: string;
  batchSize: number;
  timeoutMs: number;
  maxRetries: number;
  host: string;
  port: number;
  database: string;
}
export interface PostgresSecrets {
  url: string;
}

export type DestinationConfig =
  | { connector: 'webhook'; public: WebhookPublic; secrets: WebhookSecrets }
  | { connector: 'postgres'; public: PostgresPublic; secrets: PostgresSecrets };

export const OBJECT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const HEADER_VALUE = /^[\t\x20-\x7e]{0,1024}$/;
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

function intIn(raw: unknown, field: string, min: number, max: number, fallback: number, issues: FieldIssue[]): number {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    issues.push(issue(field, 'invalid_value', `must be an integer from ${min} to ${max}`));
    return fallback;
  }
  return raw;
}

function parseUrl(raw: unknown, protocols: string[], issues: FieldIssue[]): URL | undefined {
  if (raw === undefined || raw === null || raw === '') {
    issues.push(issue('config.url', 'missing', 'required'));
    return undefined;
  }
  if (typeof raw !== 'string' || raw.length > 2048) {
    issues.push(issue('config.url', 'invalid_url', 'must be a URL of at most 2048 characters'));
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    issues.push(issue('config.url', 'invalid_url', `must be a ${protocols.join(' or ')} URL`));
    return undefined;
  }
  if (!protocols.includes(url.protocol) || !url.hostname) {
    issues.push(issue('config.url', 'invalid_url', `must be a ${protocols.map((p) => p.replace(/:$/, '')).join(' or ')} URL`));
    return undefined;
  }
  return url;
}

function parseObjects(raw: unknown, issues: FieldIssue[]): DeclaredObject[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > 100) {
    issues.push(issue('config.objects', 'invalid_value', 'must be a list of at most 100 objects'));
    return [];
  }
  const names = new Set<string>();
  return raw.map((o, i): DeclaredObject => {
    const at = `config.objects[${i}]`;
    if (!isObject(o)) {
      issues.push(issue(at, 'invalid_value', 'must be an object'));
      return { name: '', fields: [] };
    }
    const name = o.name;
    if (typeof name !== 'string' || !OBJECT_NAME.test(name))
      issues.push(issue(`${at}.name`, 'invalid_value', `must match ${OBJECT_NAME.source}`));
    else if (names.has(name)) issues.push(issue(`${at}.name`, 'invalid_value', 'declared twice'));
    else names.add(name);
    const label = o.label;
    if (label !== undefined && label !== null && (typeof label !== 'string' || label.length > 200))
      issues.push(issue(`${at}.label`, 'invalid_value', 'must be text of at most 200 characters'));
    const fieldsRaw = o.fields;
    if (!Array.isArray(fieldsRaw) || fieldsRaw.length === 0 || fieldsRaw.length > 500) {
      issues.push(issue(`${at}.fields`, 'invalid_value', 'must be a list of 1 to 500 fields'));
      return { name: String(name), fields: [] };
    }
    const fieldNames = new Set<string>();
    const fields = fieldsRaw.map((f, j): DeclaredField => {
      const fat = `${at}.fields[${j}]`;
      if (!isObject(f)) {
        issues.push(issue(fat, 'invalid_value', 'must be an object'));
        return { name: '', type: 'string' };
      }
      const fname = f.name;
      if (typeof fname !== 'string' || !OBJECT_NAME.test(fname))
        issues.push(issue(`${fat}.name`, 'invalid_value', `must match ${OBJECT_NAME.source}`));
      else if (fieldNames.has(fname)) issues.push(issue(`${fat}.name`, 'invalid_value', 'declared twice'));
      else fieldNames.add(fname);
      const type = (f.type ?? 'string') as DataType;
      if (!DATA_TYPES.includes(type)) issues.push(issue(`${fat}.type`, 'invalid_value', `must be one of ${DATA_TYPES.join(', ')}`));
      const required = pick(f, 'required', [], issues, `${fat}.`);
      const isIdentifier = pick(f, 'isIdentifier', [], issues, `${fat}.`);
      const maxLength = pick(f, 'maxLength', [], issues, `${fat}.`);
      for (const [n, v] of [
        ['required', required],
        ['isIdentifier', isIdentifier],
      ] as const) {
        if (v !== undefined && v !== null && typeof v !== 'boolean')
          issues.push(issue(`${fat}.${n}`, 'invalid_value', 'must be true or false'));
      }
      if (
        maxLength !== undefined &&
        maxLength !== null &&
        (typeof maxLength !== 'number' || !Number.isInteger(maxLength) || maxLength < 1 || maxLength > 1_000_000)
      ) {
        issues.push(issue(`${fat}.maxLength`, 'invalid_value', 'must be an integer from 1 to 1000000'));
      }
      return {
        name: String(fname),
        type,
        required: required === true,
        isIdentifier: isIdentifier === true,
        ...(typeof maxLength === 'number' ? { maxLength } : {}),
      };
    });
    return { name: String(name), ...(typeof label === 'string' ? { label } : {}), fields };
  });
}

function webhook(config: Record<string, unknown>, issues: FieldIssue[]): DestinationConfig | undefined {
  const url = parseUrl(config.url, ['http:', 'https:'], issues);
  const headersRaw = config.headers ?? {};
  const headers: Record<string, string> = {};
  if (!isObject(headersRaw) || Object.keys(headersRaw).length > 20) {
    issues.push(issue('config.headers', 'invalid_header', 'must be an object of at most 20 headers'));
  } else {
    for (const [name, value] of Object.entries(headersRaw)) {
      if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
        issues.push(
          issue(
            `config.headers.${name.slice(0, 64)}`,
            'invalid_header',
            RESERVED_HEADERS.has(name.toLowerCase()) ? 'this header is set by Plangate' : 'not an HTTP header name',
          ),
        );
      } else if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
        issues.push(issue(`config.headers.${name}`, 'invalid_header', 'must be printable text of at most 1024 characters'));
      } else headers[name] = value;
    }
  }
  const method = String(config.method ?? 'POST').toUpperCase();
  if (method !== 'POST' && method !== 'PUT') issues.push(issue('config.method', 'invalid_value', 'must be POST or PUT'));
  const batchSize = intIn(pick(config, 'batchSize', [], issues, 'config.'), 'config.batchSize', 1, 1000, 100, issues);
  const timeoutMs = intIn(pick(config, 'timeoutMs', [], issues, 'config.'), 'config.timeoutMs', 1000, 60_000, 10_000, issues);
  const maxRetries = intIn(pick(config, 'maxRetries', [], issues, 'config.'), 'config.maxRetries', 0, 10, 3, issues);
  const signingSecret = pick(config, 'signingSecret', [], issues, 'config.');
  if (
    signingSecret !== undefined &&
    signingSecret !== null &&
    (typeof signingSecret !== 'string' || !signingSecret.length || signingSecret.length > 1024)
  ) {
    issues.push(issue('config.signingSecret', 'invalid_value', 'must be text of 1 to 1024 characters'));
  }
  const objects = parseObjects(config.objects, issues);
  if (!url || issues.length) return undefined;
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  return {
    connector: 'webhook',
    public: {
      method: method as 'POST' | 'PUT',
      batchSize,
      timeoutMs,
      maxRetries,
      objects,
      urlShown: shown,
      headerNames: Object.keys(headers),
      signing: typeof signingSecret === 'string',
    },
    secrets: { url: url.toString(), headers, signingSecret: typeof signingSecret === 'string' ? signingSecret : null },
  };
}

/** Query parameters of a postgres URL that change nothing the address rule judges; anything else is refused. */
const PG_PARAMETERS = new Set(['sslmode', 'ssl', 'sslnegotiation', 'options', 'client_encoding']);

/** What node-postgres will connect to for a destination URL, as its own parser reads it. */
export interface PostgresTarget {
  /** One host name or address: never a socket path, never a list. */
  host: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
  ssl?: boolean | Record<string, unknown>;
  options?: string;
  client_encoding?: string;
  sslnegotiation?: 'postgres' | 'direct';
}

/**
 * Reads a postgres URL with the driver's own parser (pg-connection-string), so that the host the address rule checks
 * is the host pg uses. Refused: a `host`/`hostaddr` parameter (it replaces the URL's host), a socket path, several
 * hosts, and file parameters (`sslcert`, `sslkey`, `sslrootcert`: the parser would read those files from the
 * gateway's disk), each before the parser sees the URL. Issues name `config.url` (`forbidden_address`, `invalid_url`).
 */
export function postgresTarget(raw: string, issues: FieldIssue[]): PostgresTarget | undefined {
  const refuse = (type: 'forbidden_address' | 'invalid_url', message: string) => (
    issues.push(issue('config.url', type, message)),
    undefined
  );
  // The parser re-encodes a URL with spaces or stray '%' before reading it: refusing them keeps one reading of the URL.
  if (/\s|%(?![0-9a-f]{2})/i.test(raw)) return refuse('invalid_url', 'must be a URL without spaces or bare %');
  const url = new URL(raw);
  for (const key of new Set(url.searchParams.keys())) {
    if (key === 'host' || key === 'hostaddr')
      return refuse('forbidden_address', `the '${key}' parameter would replace the URL's host: put the host in the URL`);
    if (/^ssl(cert|key|rootcert|password|crl)/.test(key))
      return refuse('invalid_url', `the '${key}' parameter names a file on the gateway: certificate files are not accepted`);
    if (!PG_PARAMETERS.has(key))
      return refuse('invalid_url', `the '${key.slice(0, 64)}' parameter is not accepted (accepted: ${[...PG_PARAMETERS].join(', ')})`);
  }
  let parsed: ReturnType<typeof parsePgUrl>;
  try {
    parsed = parsePgUrl(raw);
  } catch {
    return refuse('invalid_url', 'must be a postgres:// URL the driver can read');
  }
  const host = parsed.host ?? '';
  if (!host || host.startsWith('/')) return refuse('forbidden_address', 'must name a host: socket paths are not accepted');
  if (host.includes(',')) return refuse('forbidden_address', 'must name one host');
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) return refuse('invalid_url', 'must name a host by its name or address');
  if (!parsed.database) return refuse('invalid_url', 'must name a database');
  const port = parsed.port ? Number(parsed.port) : 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return refuse('invalid_url', 'must have a port from 1 to 65535');
  const { user, password, ssl, options, client_encoding, sslnegotiation } = parsed;
  return {
    host,
    port,
    database: parsed.database,
    ...(user ? { user } : {}),
    ...(password ? { password } : {}),
    ...(ssl !== undefined ? { ssl: sslOf(ssl) } : {}),
    ...(options ? { options } : {}),
    ...(client_encoding ? { client_encoding } : {}),
    ...(sslnegotiation ? { sslnegotiation } : {}),
  };
}

/** The parser's `ssl` as pg reads it: its object (from `sslmode`), `true`, `no-verify`; any other text is off. */
function sslOf(ssl: unknown): boolean | Record<string, unknown> {
  if (typeof ssl === 'object' && ssl !== null) return { ...ssl };
  if (ssl === 'no-verify') return { rejectUnauthorized: false };
  return ssl === true || ssl === 'true';
}

function postgres(config: Record<string, unknown>, issues: FieldIssue[]): DestinationConfig | undefined {
  const url = parseUrl(config.url, ['postgres:', 'postgresql:'], issues);
  const schema = config.schema ?? 'public';
  if (typeof schema !== 'string' || !IDENTIFIER.test(schema)) issues.push(issue('config.schema', 'invalid_value', 'must be a schema name'));
  const batchSize = intIn(pick(config, 'batchSize', [], issues, 'config.'), 'config.batchSize', 1, 5000, 500, issues);
  const timeoutMs = intIn(pick(config, 'timeoutMs', [], issues, 'config.'), 'config.timeoutMs', 1000, 60_000, 10_000, issues);
  const maxRetries = intIn(pick(config, 'maxRetries', [], issues, 'config.'), 'config.maxRetries', 0, 10, 3, issues);
  const target = url && postgresTarget(url.toString(), issues);
  if (!url || !target || issues.length) return undefined;
  return {
    connector: 'postgres',
    public: { schema: schema as string, batchSize, timeoutMs, maxRetries, host: target.host, port: target.port, database: target.database },
    secrets: { url: url.toString() },
  };
}

/** The full config a destination was made with, secrets included (for PUT: merged key by key, then validated whole). */
export function fullConfig(c: DestinationConfig): Record<string, unknown> {
  if (c.connector === 'webhook') {
    const { urlShown: _u, headerNames: _h, signing: _s, ...rest } = c.public;
    return {
      ...rest,
      url: c.secrets.url,
      headers: c.secrets.headers,
      ...(c.secrets.signingSecret ? { signingSecret: c.secrets.signingSecret } : {}),
    };
  }
  const { host: _h, port: _p, database: _d, ...rest } = c.public;
  return { ...rest, url: c.secrets.url };
}

/** Validates a destination's config (docs/reverse-etl.md); issues name `config.<field>`. */
export function parseDestinationConfig(connector: unknown, config: unknown): { config?: DestinationConfig; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  if (!CONNECTORS.includes(connector as Connector)) {
    issues.push(issue('connector', connector === undefined ? 'missing' : 'invalid_value', "must be 'webhook' or 'postgres'"));
    return { issues };
  }
  if (!isObject(config)) {
    issues.push(issue('config', config === undefined ? 'missing' : 'invalid_value', 'must be an object'));
    return { issues };
  }
  const parsed = connector === 'webhook' ? webhook(config, issues) : postgres(config, issues);
  return { config: issues.length ? undefined : parsed, issues };
}

/** Strips credentials out of a driver's message before it reaches an answer or a log. */
export function scrub(message: string, secrets: string[]): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('[redacted]');
  return out.replace(/postgres(ql)?:\/\/[^\s'"]+/gi, 'postgres://[redacted]').slice(0, 500);
}
