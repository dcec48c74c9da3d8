import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { type AppConfig } from '#config';
import { type StoreService } from './store.service.js';

/** Where the JWT secret an instance uses came from (logged at start; the value never is). */
export type SecretSource = 'environment' | 'store' | 'created' | 'adopted';

/** The name of the JWT signing secret's row in `gateway_secrets`. */
export const JWT_SECRET_NAME = 'jwt_secret';

/**
 * The secrets that every instance on one store must agree on: the JWT signing secret (Forward Planner's and
 * Planpoint's tokens), from which the keys that encrypt stored secrets (signing keys, destination secrets) are
 * derived. Read it here, never from the configuration: JWT_SECRET in the environment overrides the store's.
 */
export class GatewaySecrets {
  constructor(
    readonly jwtSecret: string,
    readonly source: SecretSource,
  ) {}
}

/** The `jwt-secret` file that instances before this version saved under DATA_DIR. */
function folderSecret(dataDir: string): string | undefined {
  const path = join(dataDir, 'jwt-secret');
  if (!existsSync(path)) return undefined;
  const value = readFileSync(path, 'utf8').trim();
  return value.length >= 32 ? value : undefined;
}

/**
 * JWT_SECRET when set; else the store's secret, made on the first start of the first instance. Several instances
 * starting at once each offer one and keep whichever was inserted first (insert if absent, then read back). A folder
 * that has a `jwt-secret` from before the secret lived in the store offers that one, so that the tokens and the
 * encrypted data made before the upgrade stay valid.
 */
export async function resolveGatewaySecrets(
  config: AppConfig,
  store: StoreService,
  logger = new Logger('Secrets'),
): Promise<GatewaySecrets> {
  if (config.jwtSecret !== undefined) return new GatewaySecrets(config.jwtSecret, 'environment');
  const read = async () =>
    (await store.query<{ value: string }>(`SELECT value FROM gateway_secrets WHERE name = $1`, [JWT_SECRET_NAME]))[0]?.value;
  const legacy = folderSecret(config.dataDir);
  let value = await read();
  let source: SecretSource = 'store';
  if (value === undefined) {
    const offered = legacy ?? randomBytes(32).toString('base64url');
    await store.query(`INSERT INTO gateway_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
      JWT_SECRET_NAME,
      offered,
    ]);
    value = await read();
    if (value === undefined) throw new Error('the JWT secret could not be stored');
    if (value === offered) source = legacy ? 'adopted' : 'created';
  }
  if (source === 'adopted') logger.log(`JWT secret adopted from ${join(config.dataDir, 'jwt-secret')} into the store`);
  // debug: a new installation's first screen is the banner (test/e2e/logs.e2e-spec.ts); an adoption is worth telling
  else if (source === 'created') logger.debug('JWT secret created in the store');
  else if (legacy !== undefined && legacy !== value) {
    // Another instance's secret was there first: tokens and encrypted values made with this folder's are not readable.
    logger.warn(`${join(config.dataDir, 'jwt-secret')} differs from the store's JWT secret and is not used`);
  }
  return new GatewaySecrets(value, source);
}
