import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger } from '@nestjs/common';
import { loadConfig } from '#config';
import { openStore, resolveGatewaySecrets, runMigrations, StoreService, type OpenedStore } from '#store';
import { createScratchDatabase } from '../support/pg-admin.js';
import { storeTemplate } from '../support/store-template.js';
import { ON_POSTGRES } from '../support/test-app.js';

/** A logger that keeps what it was told, to look for the secret in it. */
function capture() {
  const lines: string[] = [];
  const logger = {
    log: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(m),
    debug: (m: string) => lines.push(m),
  } as unknown as Logger;
  return { logger, lines };
}

/** Each case on an empty store of its own: a scratch PostgreSQL database under npm run test:pg, else in memory. */
async function emptyStore(): Promise<{ store: StoreService; close(): Promise<void> }> {
  let opened: OpenedStore;
  let drop = async () => undefined as unknown;
  if (ON_POSTGRES) {
    const db = await createScratchDatabase(process.env.DATABASE_URL!);
    drop = db.drop;
    opened = await openStore({ kind: 'postgres', url: db.url });
  } else {
    opened = await openStore({ kind: 'embedded', dataDir: 'memory://', template: await storeTemplate() });
  }
  await runMigrations(opened.dataSource);
  return {
    store: new StoreService(opened),
    async close() {
      await opened.close();
      await drop();
    },
  };
}

const folder = () => mkdtempSync(join(tmpdir(), 'plangate-secrets-'));
const rows = (store: StoreService) => store.query<{ name: string }>(`SELECT name FROM gateway_secrets`);

describe(`the JWT secret in the store (${ON_POSTGRES ? 'PostgreSQL' : 'embedded'})`, () => {
  it('is made once when instances start together: every one gets the same, one row', async () => {
    const { store, close } = await emptyStore();
    try {
      const logs = capture();
      const resolved = await Promise.all(
        Array.from({ length: 5 }, () => resolveGatewaySecrets(loadConfig({ DATA_DIR: folder() }), store, logs.logger)),
      );
      expect(new Set(resolved.map((s) => s.jwtSecret)).size).toBe(1);
      expect(resolved[0].jwtSecret.length).toBeGreaterThanOrEqual(32);
      expect(resolved.filter((s) => s.source === 'created')).toHaveLength(1);
      expect(await rows(store)).toEqual([{ name: 'jwt_secret' }]);
      // a restart reads it back
      expect(await resolveGatewaySecrets(loadConfig({ DATA_DIR: folder() }), store, logs.logger)).toMatchObject({
        jwtSecret: resolved[0].jwtSecret,
        source: 'store',
      });
      expect(logs.lines.join('\n')).not.toContain(resolved[0].jwtSecret);
    } finally {
      await close();
    }
  });

  it('adopts the jwt-secret a folder saved before the upgrade, and keeps the store one over a differing folder', async () => {
    const { store, close } = await emptyStore();
    try {
      const old = folder();
      const saved = randomBytes(32).toString('base64url');
      writeFileSync(join(old, 'jwt-secret'), saved + '\n', { mode: 0o600 });
      const logs = capture();
      expect(await resolveGatewaySecrets(loadConfig({ DATA_DIR: old }), store, logs.logger)).toMatchObject({
        jwtSecret: saved,
        source: 'adopted',
      });
      // another instance whose folder has a secret of its own uses the store's, and says its file is not used
      const other = folder();
      const its = randomBytes(32).toString('base64url');
      writeFileSync(join(other, 'jwt-secret'), its + '\n', { mode: 0o600 });
      expect(await resolveGatewaySecrets(loadConfig({ DATA_DIR: other }), store, logs.logger)).toMatchObject({
        jwtSecret: saved,
        source: 'store',
      });
      expect(logs.lines.some((l) => l.includes('differs from the store'))).toBe(true);
      expect(logs.lines.join('\n')).not.toContain(saved);
      expect(logs.lines.join('\n')).not.toContain(its);
    } finally {
      await close();
    }
  });

  it('yields to JWT_SECRET from the environment, which it does not store', async () => {
    const { store, close } = await emptyStore();
    try {
      const env = 'an-environment-secret-of-32-characters';
      expect(await resolveGatewaySecrets(loadConfig({ DATA_DIR: folder(), JWT_SECRET: env }), store)).toMatchObject({
        jwtSecret: env,
        source: 'environment',
      });
      expect(await rows(store)).toEqual([]);
    } finally {
      await close();
    }
  });
});
