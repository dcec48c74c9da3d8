import { type INestApplicationContext } from '@nestjs/common';
import { AccountsService, ApiKeysRepository, ApiKeysService, IdentityService, UsersService } from '#identity';
import { StoreService } from '#store';
import { seedUserWithKey } from '../factories/identity.factory.js';
import { ON_POSTGRES } from '../support/test-app.js';
import { startTestStore } from '../support/test-store.js';

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not true within ${ms} ms`);
}

const refused = (identity: IdentityService, key: string) =>
  identity.authenticateKey(key).then(
    () => false,
    (e: { code?: string }) => e.code === 'UNAUTHENTICATED',
  );

describe('identity on a real store', () => {
  let ctx: INestApplicationContext;
  let identity: IdentityService;

  beforeAll(async () => {
    ctx = await startTestStore();
    identity = ctx.get(IdentityService);
  });
  afterAll(() => ctx.close());

  it('counts login attempts against one subject per user, however the login is spelled, and a fixed-size one otherwise', async () => {
    const u = await seedUserWithKey(ctx);
    const subject = await identity.loginSubject(u.username);
    expect(subject).toMatch(/^user:/);
    for (const spelling of [` ${u.username.toUpperCase()} `, u.email, u.email.toUpperCase()])
      expect(await identity.loginSubject(spelling)).toBe(subject);
    const madeUp = await identity.loginSubject('x'.repeat(256 * 1024));
    expect(madeUp).toMatch(/^login:[A-Za-z0-9_-]{43}$/);
    expect(await identity.loginSubject(' NOBODY@example.test ')).toBe(await identity.loginSubject('nobody@example.test'));
  });

  it('resolves a key to one Principal with account, user, role and assigned clients', async () => {
    const u = await seedUserWithKey(ctx);
    const p = await identity.authenticateKey(u.key);
    expect(p).toEqual({
      accountId: expect.any(String),
      accountSlug: u.slug,
      accountPlan: 'pro',
      accountSettings: {},
      userId: expect.any(String),
      userNumber: expect.any(Number),
      username: u.username,
      email: u.email,
      role: 'advisor',
      assignedClients: ['Acme'],
      credentialId: expect.any(String),
    });
  });

  it.each([
    ['an empty string', ''],
    ['a non-key', 'hello'],
    ['a key of the wrong length', 'psk_abc'],
    ['a key with a bad character', `psk_${'a'.repeat(39)}!`],
  ])('refuses %s', async (_what, key) => {
    await expect(identity.authenticateKey(key)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a key that shares the prefix of a real key but not the rest', async () => {
    const u = await seedUserWithKey(ctx);
    const forged = u.key.slice(0, 12) + 'Z'.repeat(40 - 8);
    expect(forged).toHaveLength(u.key.length);
    await expect(identity.authenticateKey(forged)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('stores only the prefix and the SHA-256 of a key', async () => {
    const u = await seedUserWithKey(ctx);
    const rows = await ctx
      .get(StoreService)
      .query<Record<string, unknown>>(`SELECT k.* FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.username = $1`, [u.username]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(u.key);
    expect(rows[0].prefix).toBe(u.key.slice(0, 12));
  });

  it('records last use at most once a minute', async () => {
    const u = await seedUserWithKey(ctx);
    await identity.authenticateKey(u.key);
    await within(2000, async () => {
      const [row] = await ctx.get(ApiKeysService).list(u.slug, u.username);
      return row.lastUsedAt !== null;
    });
    const [first] = await ctx.get(ApiKeysService).list(u.slug, u.username);
    await identity.authenticateKey(u.key);
    await new Promise((r) => setTimeout(r, 100));
    const [second] = await ctx.get(ApiKeysService).list(u.slug, u.username);
    expect(second.lastUsedAt).toEqual(first.lastUsedAt);
  });

  it('logs in with username or e-mail in any case and the password, argon2id-verified', async () => {
    const u = await seedUserWithKey(ctx, { password: 'a very good password' });
    await expect(identity.authenticatePassword(u.username.toUpperCase(), 'a very good password')).resolves.toMatchObject({
      username: u.username,
      credentialId: null,
    });
    await expect(identity.authenticatePassword(u.email, 'a very good password')).resolves.toMatchObject({ username: u.username });
    await expect(identity.authenticatePassword(u.username, 'a very bad password')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(identity.authenticatePassword('nobody-at-all', 'a very good password')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a password login for a user who has no password', async () => {
    const u = await seedUserWithKey(ctx);
    await expect(identity.authenticatePassword(u.username, 'anything at all')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('carries settings changes to the next authentication', async () => {
    const u = await seedUserWithKey(ctx);
    await identity.authenticateKey(u.key);
    await ctx.get(AccountsService).update(u.slug, { settings: { plansync: { requests_per_minute: 7 } } });
    await expect(identity.authenticateKey(u.key)).resolves.toMatchObject({ accountSettings: { plansync: { requests_per_minute: 7 } } });
  });

  it('another instance on the same store refuses a revoked key within 1 s', async () => {
    const other = new IdentityService(ctx.get(StoreService), ctx.get(ApiKeysRepository));
    await other.onModuleInit();
    try {
      const u = await seedUserWithKey(ctx);
      await other.authenticateKey(u.key); // cached by the other instance
      await ctx.get(ApiKeysService).revoke(u.slug, u.username, u.keyName);
      expect(await refused(identity, u.key)).toBe(true); // this instance: at once
      const took = await within(1000, () => refused(other, u.key));
      expect(took).toBeLessThan(1000);
    } finally {
      other.onModuleDestroy();
    }
  });

  it('another instance refuses a deactivated user and a disabled account within 1 s', async () => {
    const other = new IdentityService(ctx.get(StoreService), ctx.get(ApiKeysRepository));
    await other.onModuleInit();
    try {
      const u = await seedUserWithKey(ctx);
      const v = await seedUserWithKey(ctx);
      await other.authenticateKey(u.key);
      await other.authenticateKey(v.key);
      await ctx.get(UsersService).update(u.slug, u.username, { active: false });
      await ctx.get(AccountsService).update(v.slug, { status: 'disabled' });
      await within(1000, async () => (await refused(other, u.key)) && (await refused(other, v.key)));
    } finally {
      other.onModuleDestroy();
    }
  });

  (ON_POSTGRES ? it : it.skip)('a second gateway process on the same PostgreSQL database sees a revocation within 1 s', async () => {
    const second = await startTestStore();
    try {
      const u = await seedUserWithKey(ctx);
      const remote = second.get(IdentityService);
      await remote.authenticateKey(u.key);
      await ctx.get(ApiKeysService).revoke(u.slug, u.username, u.keyName);
      await within(1000, () => refused(remote, u.key));
    } finally {
      await second.close();
    }
  });
});
