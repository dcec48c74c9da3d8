import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config.js';

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'plangate-config-'));
}

describe('loadConfig', () => {
  it('defaults to port 3000, the embedded store under DATA_DIR and info logs', () => {
    const dir = freshDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', dataDir: dir, logLevel: 'info', metricsPublic: false });
    expect(config.store).toEqual({ kind: 'embedded', dataDir: join(dir, 'pglite') });
    expect(config.redisUrl).toBeUndefined();
  });

  it('takes PLANPOINT_PUBLIC_PER_MINUTE (default 300, 0 turns the public limit off)', () => {
    expect(loadConfig({ DATA_DIR: freshDir() }).planpointPublicPerMinute).toBe(300);
    expect(loadConfig({ DATA_DIR: freshDir(), PLANPOINT_PUBLIC_PER_MINUTE: '0' }).planpointPublicPerMinute).toBe(0);
    expect(loadConfig({ DATA_DIR: freshDir(), PLANPOINT_PUBLIC_PER_MINUTE: ' 1200 ' }).planpointPublicPerMinute).toBe(1200);
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATA_DIR: freshDir(), DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test' });
    expect(config.store).toEqual({ kind: 'postgres', url: 'postgresql://postgres@127.0.0.1:5432/test' });
  });

  it('generates the admin token once, saves it with mode 0600 and reuses it', () => {
    const dir = freshDir();
    const first = loadConfig({ DATA_DIR: dir });
    expect(first.adminTokenGenerated).toBe(true);
    expect(first.adminToken.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'admin-token'), 'utf8').trim()).toBe(first.adminToken);
    const second = loadConfig({ DATA_DIR: dir });
    expect(second.adminTokenGenerated).toBe(false);
    expect(second.adminToken).toBe(first.adminToken);
  });

  it('leaves the JWT secret to the store unless JWT_SECRET is set (no jwt-secret file is written)', () => {
    const dir = freshDir();
    expect(loadConfig({ DATA_DIR: dir }).jwtSecret).toBeUndefined();
    expect(existsSync(join(dir, 'jwt-secret'))).toBe(false);
    expect(loadConfig({ DATA_DIR: dir, JWT_SECRET: 'an-environment-secret-of-32-characters' }).jwtSecret).toBe(
      'an-environment-secret-of-32-characters',
    );
  });

  it('keeps file contents in the database on PostgreSQL and in the folder on the embedded store, unless FILES_STORE says', () => {
    const pg = 'postgresql://postgres@127.0.0.1:5432/test';
    expect(loadConfig({ DATA_DIR: freshDir() }).filesStore).toBe('folder');
    expect(loadConfig({ DATA_DIR: freshDir(), DATABASE_URL: pg }).filesStore).toBe('database');
    expect(loadConfig({ DATA_DIR: freshDir(), DATABASE_URL: pg, FILES_STORE: 'folder' }).filesStore).toBe('folder');
    expect(loadConfig({ DATA_DIR: freshDir(), FILES_STORE: 'Database' }).filesStore).toBe('database');
  });

  it('takes ADMIN_TOKEN from the environment without writing it anywhere', () => {
    const dir = freshDir();
    const config = loadConfig({ DATA_DIR: dir, ADMIN_TOKEN: 'a-long-enough-admin-token' });
    expect(config.adminToken).toBe('a-long-enough-admin-token');
    expect(config.adminTokenGenerated).toBe(false);
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '-1' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/db' }],
    ['REDIS_URL', { REDIS_URL: 'http://localhost:6379' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['SEED_DEMO', { SEED_DEMO: 'maybe' }],
    ['LOG_FORMAT', { LOG_FORMAT: 'xml' }],
    ['METRICS_PUBLIC', { METRICS_PUBLIC: 'sometimes' }],
    ['PLANPOINT_PUBLIC_PER_MINUTE', { PLANPOINT_PUBLIC_PER_MINUTE: 'lots' }],
    ['PLANPOINT_PUBLIC_PER_MINUTE', { PLANPOINT_PUBLIC_PER_MINUTE: '-5' }],
    ['PLANPOINT_PUBLIC_PER_MINUTE', { PLANPOINT_PUBLIC_PER_MINUTE: '2000000' }],
    ['ADMIN_TOKEN', { ADMIN_TOKEN: 'short' }],
    ['JWT_SECRET', { JWT_SECRET: 'short' }],
    ['FILES_STORE', { FILES_STORE: 's3' }],
    ['RETL_WORKERS', { RETL_WORKERS: 'two' }],
    ['RETL_WORKERS', { RETL_WORKERS: '-1' }],
    ['RETL_WORKERS', { RETL_WORKERS: '33' }],
    ['RETL_SQL_ON_EMBEDDED', { RETL_SQL_ON_EMBEDDED: 'perhaps' }],
    ['RETL_BLOCK_PRIVATE_NETWORKS', { RETL_BLOCK_PRIVATE_NETWORKS: 'true' }],
    ['RETL_BLOCK_PRIVATE_NETWORKS', { RETL_BLOCK_PRIVATE_NETWORKS: 'false' }],
    ['RETL_ALLOW_HOSTS', { RETL_ALLOW_HOSTS: '10.0.0.0/33' }],
    ['RETL_ALLOW_HOSTS', { RETL_ALLOW_HOSTS: '300.1.1.1' }],
    ['RETL_ALLOW_HOSTS', { RETL_ALLOW_HOSTS: '::1/129' }],
    ['RETL_ALLOW_HOSTS', { RETL_ALLOW_HOSTS: '10.0.0.0/8/8' }],
    ['RETL_ALLOW_HOSTS', { RETL_ALLOW_HOSTS: 'localhost,*.corp' }],
    ['RETL_ALLOW_HOSTS', { RETL_ALLOW_HOSTS: 'http://localhost' }],
    ['RETL_ALLOW_HOSTS', { RETL_ALLOW_HOSTS: 'bad_name' }],
    ['PRUNE_EVERY_SECONDS', { PRUNE_EVERY_SECONDS: 'hourly' }],
    ['PRUNE_EVERY_SECONDS', { PRUNE_EVERY_SECONDS: '86401' }],
    ['PRUNE_BATCH_SIZE', { PRUNE_BATCH_SIZE: '0' }],
    ['PRUNE_BATCH_SIZE', { PRUNE_BATCH_SIZE: '100001' }],
    ['SESSION_RETENTION_DAYS', { SESSION_RETENTION_DAYS: '-1' }],
    ['SESSION_RETENTION_DAYS', { SESSION_RETENTION_DAYS: '1.5' }],
    ['RETL_HISTORY_RETENTION_DAYS', { RETL_HISTORY_RETENTION_DAYS: '3651' }],
  ])('refuses an invalid %s, naming it', (variable, env) => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: freshDir(), ...env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(variable);
  });

  it('reads the pruning settings with their defaults', () => {
    expect(loadConfig({ DATA_DIR: freshDir() }).prune).toEqual({
      everyMs: 300_000,
      batchSize: 1000,
      maxBatches: 100,
      sessionRetentionMs: 7 * 86_400_000,
      retlHistoryRetentionMs: 90 * 86_400_000,
    });
    expect(
      loadConfig({
        DATA_DIR: freshDir(),
        PRUNE_EVERY_SECONDS: '0',
        PRUNE_BATCH_SIZE: '50',
        SESSION_RETENTION_DAYS: '0',
        RETL_HISTORY_RETENTION_DAYS: '30',
      }).prune,
    ).toMatchObject({ everyMs: 0, batchSize: 50, sessionRetentionMs: 0, retlHistoryRetentionMs: 30 * 86_400_000 });
  });

  it('reads the reverse-ETL engine settings with their defaults', () => {
    expect(loadConfig({ DATA_DIR: freshDir() }).retl).toMatchObject({
      workers: 2,
      sqlOnEmbedded: false,
      allowHosts: { names: [], networks: [] },
      leaseMs: 60_000,
    });
    expect(loadConfig({ DATA_DIR: freshDir(), RETL_WORKERS: '0', RETL_SQL_ON_EMBEDDED: 'true' }).retl).toMatchObject({
      workers: 0,
      sqlOnEmbedded: true,
    });
  });

  it('reads RETL_ALLOW_HOSTS as host names and networks (a bare address is one host)', () => {
    const retl = (v: string) => loadConfig({ DATA_DIR: freshDir(), RETL_ALLOW_HOSTS: v }).retl.allowHosts;
    expect(retl(' 127.0.0.1/32, 10.1.0.0/16 ,LocalHost., ::1, fc00::/7,db.internal.example,0.0.0.0/0,::/0,, ')).toEqual({
      names: ['localhost', 'db.internal.example'],
      networks: ['127.0.0.1/32', '10.1.0.0/16', '::1/128', 'fc00::/7', '0.0.0.0/0', '::/0'],
    });
    expect(retl('')).toEqual({ names: [], networks: [] });
  });

  it('says what replaced RETL_BLOCK_PRIVATE_NETWORKS', () => {
    expect(() => loadConfig({ DATA_DIR: freshDir(), RETL_BLOCK_PRIVATE_NETWORKS: 'true' })).toThrow(/RETL_ALLOW_HOSTS/);
  });

  it('never puts a secret value in its error message', () => {
    expect(() => loadConfig({ DATA_DIR: freshDir(), DATABASE_URL: 'ftp://user:hunter2secret@host/db' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2secret') }),
    );
  });
});
