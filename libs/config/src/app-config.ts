import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';

/** Where the shared records live: PGlite in process, or a PostgreSQL server. */
export type StoreConfig =
  | {
      kind: 'embedded';
      dataDir: string;
      /**
       * Where a new store starts from instead of running initdb: for an in-memory store a tarball of a prepared data
       * directory (PGlite's dumpDataDir), for a folder a prepared data directory (copied when the folder has none).
       */
      template?: string;
    }
  | { kind: 'postgres'; url: string };

/** `folder`: DATA_DIR/files, one file per blob; `database`: chunks in the store (shared by every instance on it). */
export type FilesStore = 'folder' | 'database';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  store: StoreConfig;
  redisUrl?: string;
  /** Bearer token of the Admin API; generated and saved under dataDir when not given. */
  adminToken: string;
  /** Whether the admin token was generated on this start (so it is printed once). */
  adminTokenGenerated: boolean;
  /**
   * JWT_SECRET from the environment, which overrides the store's. Unset, the secret is the one made once in the store
   * and shared by every instance on it (#store's GatewaySecrets); read it there, never here.
   */
  jwtSecret?: string;
  /** FILES_STORE: where uploaded file contents live (`database` by default on PostgreSQL, `folder` on the embedded store). */
  filesStore: FilesStore;
  logLevel: LogLevel;
  /** LOG_FORMAT: `json` lines for machines, `pretty` lines for people; `auto` (unset): pretty on a terminal only. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** undefined: seed only a fresh embedded store; true: always (idempotent); false: never. */
  seedDemo?: boolean;
  /** Express `trust proxy` value; undefined = the socket's address is the client's. */
  trustProxy?: boolean | number | string;
  metricsPublic: boolean;
  /** Planpoint's public lookups per rolling minute per client IP (PLANPOINT_PUBLIC_PER_MINUTE, default 300, 0 = off). */
  planpointPublicPerMinute: number;
  /** PlanSync's per-request limit (vendor figure: 120 s), upload transfer included. Not an environment variable. */
  requestTimeoutMs: number;
  /** The reverse-ETL run engine (docs/reverse-etl.md). */
  retl: RetlConfig;
  /** Deleting what is past retention (the Pruner of #store). */
  prune: PruneConfig;
}

export interface PruneConfig {
  /** PRUNE_EVERY_SECONDS (300): how often an instance offers to prune; one instance a period does. 0 = never here. */
  everyMs: number;
  /** PRUNE_BATCH_SIZE (1000): rows one delete statement takes. */
  batchSize: number;
  /** Not an environment variable: batches a task runs in one pass at most (the rest waits for the next pass). */
  maxBatches: number;
  /**
   * SESSION_RETENTION_DAYS (7): how long ended sessions are kept: refresh tokens past their expiry, refresh-token
   * families revoked or with every token past expiry, Planfix sessions past their expiry.
   */
  sessionRetentionMs: number;
  /** RETL_HISTORY_RETENTION_DAYS (90): finished reverse-ETL runs and resolved dead letters, from their end. */
  retlHistoryRetentionMs: number;
}

export interface RetlConfig {
  /** RETL_WORKERS (2): runs executed at once by this instance; 0 = none here (it still serves the API). */
  workers: number;
  /** RETL_SQL_ON_EMBEDDED (false): allow SQL sources on the embedded store, which ignores statement_timeout. */
  sqlOnEmbedded: boolean;
  /** RETL_ALLOW_HOSTS (empty): the loopback and private destinations the operator allows (never metadata addresses). */
  allowHosts: AllowHosts;
  /** Not environment variables (tests shorten them): a claim's lease, its heartbeat, the reclaim/schedule scan, the idle poll. */
  leaseMs: number;
  heartbeatMs: number;
  scanMs: number;
  pollMs: number;
}

/** RETL_ALLOW_HOSTS parsed: host names (lower case, no trailing dot) and networks as `address/prefix`. */
export interface AllowHosts {
  names: string[];
  networks: string[];
}

/** Names of the configuration that carries a secret: never logged, never echoed. */
export const SECRET_VARIABLES = ['ADMIN_TOKEN', 'JWT_SECRET', 'DATABASE_URL', 'REDIS_URL'] as const;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
  ) {
    super(`Invalid configuration: ${variable} ${expected}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function present(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function parsePort(env: Env): number {
  const raw = present(env, 'PORT');
  if (raw === undefined) return 3000;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError('PORT', `must be an integer from 0 to 65535 (got "${raw.slice(0, 40)}")`);
  }
  return Number(raw);
}

function parseBool(env: Env, name: string): boolean | undefined {
  const raw = present(env, name);
  if (raw === undefined) return undefined;
  const v = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw.slice(0, 40)}")`);
}

function parseCount(env: Env, name: string, fallback: number, max: number): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) > max)
    throw new ConfigError(name, `must be an integer from 0 to ${max} (got "${raw.slice(0, 40)}")`);
  return Number(raw);
}

function parseUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = present(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL such as ${protocols[0]}//host:port/... (got an unparsable value)`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')} (got "${url.protocol}")`);
  }
  if (!url.hostname) throw new ConfigError(name, 'must name a host');
  return raw;
}

function parseWorkers(env: Env): number {
  const raw = present(env, 'RETL_WORKERS');
  if (raw === undefined) return 2;
  if (!/^\d{1,2}$/.test(raw) || Number(raw) > 32)
    throw new ConfigError('RETL_WORKERS', `must be an integer from 0 to 32 (got "${raw.slice(0, 40)}")`);
  return Number(raw);
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * `127.0.0.1/32,10.1.0.0/16,localhost`: networks (a bare address is one host) and host names. Anything that looks like
 * an address but is not one (`10.0.0.0/33`, `300.1.1.1`) is refused rather than taken for a name.
 */
function parseAllowHosts(env: Env): AllowHosts {
  const raw = present(env, 'RETL_ALLOW_HOSTS');
  const allow: AllowHosts = { names: [], networks: [] };
  for (const entry of (raw ?? '').split(',').map((e) => e.trim().toLowerCase())) {
    if (!entry) continue;
    const bad = () =>
      new ConfigError(
        'RETL_ALLOW_HOSTS',
        `must be a comma-separated list of host names, addresses and CIDRs such as 127.0.0.1/32,10.1.0.0/16,localhost (got "${entry.slice(0, 60)}")`,
      );
    if (/^[\d.]+$|[:/]/.test(entry)) {
      const [address, prefix, extra] = entry.split('/');
      const family = isIP(address);
      const max = family === 6 ? 128 : 32;
      if (!family || extra !== undefined || (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max))) throw bad();
      allow.networks.push(`${address}/${prefix ?? max}`);
    } else {
      const name = entry.replace(/\.$/, '');
      if (!HOST_NAME.test(name)) throw bad();
      allow.names.push(name);
    }
  }
  return allow;
}

function parseTrustProxy(env: Env): boolean | number | string | undefined {
  const raw = present(env, 'TRUST_PROXY');
  if (raw === undefined) return undefined;
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  if (/^\d{1,2}$/.test(raw)) return Number(raw);
  if (/^[0-9a-fA-F.:/, a-z]+$/.test(raw)) return raw;
  throw new ConfigError('TRUST_PROXY', 'must be true, false, a hop count or a list of addresses/subnets');
}

/** Reads a secret saved under dataDir, or makes and saves one (mode 0600). */
function savedSecret(dataDir: string, file: string): { value: string; generated: boolean } {
  const path = join(dataDir, file);
  if (existsSync(path)) {
    const value = readFileSync(path, 'utf8').trim();
    if (value.length >= 32) return { value, generated: false };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('base64url');
  writeFileSync(path, value + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return { value, generated: true };
}

function parseFilesStore(env: Env, onPostgres: boolean): FilesStore {
  const raw = present(env, 'FILES_STORE');
  if (raw === undefined) return onPostgres ? 'database' : 'folder';
  const v = raw.toLowerCase();
  if (v !== 'folder' && v !== 'database') throw new ConfigError('FILES_STORE', `must be database or folder (got "${raw.slice(0, 40)}")`);
  return v;
}

/**
 * The one reader of the environment: validates everything at once, names the first bad variable.
 * A generated admin token is saved under DATA_DIR so that a restart keeps it; the JWT secret, which instances on one
 * store must share, is made in the store (#store's GatewaySecrets), not here.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const port = parsePort(env);
  const host = present(env, 'HOST') ?? '0.0.0.0';
  const rawDir = present(env, 'DATA_DIR') ?? './data';
  const dataDir = isAbsolute(rawDir) ? rawDir : resolve(rawDir);
  const databaseUrl = parseUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = parseUrl(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const logLevel = (present(env, 'LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = (present(env, 'LOG_FORMAT') ?? 'auto').toLowerCase() as AppConfig['logFormat'];
  if (!['auto', 'json', 'pretty'].includes(logFormat))
    throw new ConfigError('LOG_FORMAT', 'must be json or pretty (unset: pretty on a terminal, else json)');
  const seedDemo = parseBool(env, 'SEED_DEMO');
  const trustProxy = parseTrustProxy(env);
  const metricsPublic = parseBool(env, 'METRICS_PUBLIC') ?? false;
  const planpointPublicPerMinute = parseCount(env, 'PLANPOINT_PUBLIC_PER_MINUTE', 300, 1_000_000);
  // Removed rather than ignored: `false` used to let tenants reach loopback and private networks, which now takes an
  // explicit RETL_ALLOW_HOSTS; a deployment that set it must decide what to allow.
  if (present(env, 'RETL_BLOCK_PRIVATE_NETWORKS') !== undefined) {
    throw new ConfigError(
      'RETL_BLOCK_PRIVATE_NETWORKS',
      'is no longer read: loopback and private networks are refused by default; allow them with RETL_ALLOW_HOSTS',
    );
  }
  const retl: RetlConfig = {
    workers: parseWorkers(env),
    sqlOnEmbedded: parseBool(env, 'RETL_SQL_ON_EMBEDDED') ?? false,
    allowHosts: parseAllowHosts(env),
    leaseMs: 60_000,
    heartbeatMs: 15_000,
    scanMs: 15_000,
    pollMs: 5_000,
  };

  const prune: PruneConfig = {
    everyMs: parseCount(env, 'PRUNE_EVERY_SECONDS', 300, 86_400) * 1000,
    batchSize: parseCount(env, 'PRUNE_BATCH_SIZE', 1000, 100_000),
    maxBatches: 100,
    sessionRetentionMs: parseCount(env, 'SESSION_RETENTION_DAYS', 7, 3650) * 86_400_000,
    retlHistoryRetentionMs: parseCount(env, 'RETL_HISTORY_RETENTION_DAYS', 90, 3650) * 86_400_000,
  };
  if (prune.batchSize === 0) throw new ConfigError('PRUNE_BATCH_SIZE', 'must be an integer from 1 to 100000 (got "0")');

  let adminToken = present(env, 'ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN', 'must be at least 16 characters');
  }
  const jwtSecret = present(env, 'JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
  }
  let adminTokenGenerated = false;
  if (adminToken === undefined) {
    const saved = savedSecret(dataDir, 'admin-token');
    adminToken = saved.value;
    adminTokenGenerated = saved.generated;
  }
  const filesStore = parseFilesStore(env, databaseUrl !== undefined);

  return {
    port,
    host,
    dataDir,
    store: databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'embedded', dataDir: join(dataDir, 'pglite') },
    redisUrl,
    adminToken,
    adminTokenGenerated,
    jwtSecret,
    filesStore,
    logLevel,
    logFormat,
    seedDemo,
    trustProxy,
    metricsPublic,
    planpointPublicPerMinute,
    requestTimeoutMs: 120_000,
    retl,
    prune,
  };
}
