import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig, type AppConfig } from '#config';
import { GatewaySecrets } from '#store';
import { createApp } from '../../src/create-app.js';
import { type ProtocolRegistry } from '../../src/pipeline/protocol.js';
import { storeTemplate } from './store-template.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** The opt-in of test gateways for reverse-ETL destinations on this machine's loopback (receivers, the test database). */
export const TEST_RETL_ALLOW_HOSTS = 'localhost,127.0.0.1/32,::1/128';

/** PostgreSQL when DATABASE_URL is set (npm run test:pg), else an in-memory PGlite of this test file's own. */
export const ON_POSTGRES = !!process.env.DATABASE_URL;

/** Collects the app's log lines so that tests can look for leaked secrets. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** The JWT secret the app uses: JWT_SECRET, or the one in its store (GatewaySecrets). */
  jwtSecret: string;
  logs: LogCapture;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Keep the embedded store on disk under DATA_DIR (default: in memory). */
  embeddedOnDisk?: boolean;
  /** Values that have no environment variable (such as the request timeout). */
  overrides?: Partial<AppConfig>;
  /** The protocols served, when not the gateway's own list (a test adds a toy protocol). */
  protocols?: ProtocolRegistry;
}

export function testConfig(options: TestAppOptions = {}): AppConfig {
  const dataDir = mkdtempSync(join(tmpdir(), 'plangate-test-'));
  const config = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    DATA_DIR: dataDir,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'info',
    SEED_DEMO: 'false',
    PORT: '0',
    // No reverse-ETL runs in test apps unless a test asks: on a shared PostgreSQL database another file's app would
    // otherwise claim (and, with its own JWT_SECRET, fail to decrypt) this file's runs.
    RETL_WORKERS: '0',
    // No pruning passes in test apps unless a test runs one: a pass deletes for every account of a shared database.
    PRUNE_EVERY_SECONDS: '0',
    // Test receivers listen on loopback, which destinations reach only through the operator's opt-in, as in production.
    RETL_ALLOW_HOSTS: TEST_RETL_ALLOW_HOSTS,
    ...options.env,
  });
  if (config.store.kind === 'embedded' && !options.embeddedOnDisk) config.store = { kind: 'embedded', dataDir: 'memory://' };
  return { ...config, ...options.overrides };
}

/** An in-memory embedded store starts from the migrated template (test/support/store-template.ts). */
export async function withStoreTemplate(config: AppConfig): Promise<AppConfig> {
  if (config.store.kind !== 'embedded' || !config.store.dataDir.startsWith('memory://')) return config;
  return { ...config, store: { ...config.store, template: await storeTemplate() } };
}

/** The whole gateway as `npm start` builds it, on a real store, not listening (supertest drives it). */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = await withStoreTemplate(testConfig(options));
  const logs = new LogCapture();
  const app = await createApp(config, { logStream: logs, protocols: options.protocols });
  await app.init();
  return {
    app,
    config,
    jwtSecret: app.get(GatewaySecrets).jwtSecret,
    logs,
    async close() {
      await app.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** Redis for the tests that exercise it (npm run test:pg sets it; .ci/run starts Redis). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
