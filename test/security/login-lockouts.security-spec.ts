import { admin } from '../factories/admin.factory.js';
import { listen, planfixAccount, PLANFIX_PASSWORD, xmlCall } from '../factories/planfix.factory.js';
import { planpointAccount, pp } from '../factories/planpoint.factory.js';
import { useListeningApp } from '../support/listening-app.js';
import { ON_POSTGRES, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Issue #17: a login lockout counts per user, whatever spelling the client used (username or e-mail, letter case,
 * surrounding spaces): 10 guesses per 15 minutes, not 10 per spelling.
 */
describe('security: login lockouts count per user', () => {
  const app = useListeningApp({ env: { TRUST_PROXY: 'true' } });

  /** Ten spellings of one user: username, e-mail, other letter cases, surrounding spaces. */
  function spellings(u: { username: string; email: string }): string[] {
    const s = [
      u.username,
      u.email,
      u.username.toUpperCase(),
      u.email.toUpperCase(),
      ` ${u.username}`,
      `${u.email} `,
      u.username[0].toUpperCase() + u.username.slice(1),
      `\t${u.email.toUpperCase()}\t`,
    ];
    return Array.from({ length: 10 }, (_, i) => s[i % s.length]);
  }

  it('Planpoint: 10 failures split between username, e-mail and other spellings lock the user; the 11th, right password included, is 429', async () => {
    const server = app.t.app.getHttpServer();
    const a = await planpointAccount(server);
    for (const username of spellings(a)) {
      const res = await pp(server).post('/api/users/login', { username, password: 'not the password!' });
      expect({ username, status: res.status, body: res.body }).toEqual({
        username,
        status: 401,
        body: { message: 'Invalid username or password' },
      });
    }
    for (const username of [a.username, a.email, a.email.toUpperCase()]) {
      const res = await pp(server).post('/api/users/login', { username, password: a.password });
      expect({ username, status: res.status, body: res.body }).toEqual({
        username,
        status: 429,
        body: { message: 'Too many login attempts' },
      });
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
    }
    // another user of the same account is not locked
    const other = await planpointAccount(server);
    expect((await pp(server).post('/api/users/login', { username: other.email, password: other.password })).status).toBe(200);
  });

  it('Planfix auth.login: 10 wrong passwords split between spellings lock the user (0007), the right password included', async () => {
    const a = await planfixAccount(app.t.app.getHttpServer());
    const login = (name: string, password: string) =>
      xmlCall(
        app.base,
        `<request method="auth.login"><account>${a.slug}</account><login>${name}</login><password>${password}</password></request>`,
        { auth: `${a.key}:x` },
      );
    for (const name of spellings(a))
      expect({ name, text: (await login(name, 'not the password!')).text }).toEqual({
        name,
        text: expect.stringContaining('<code>1001</code>'),
      });
    expect((await login(a.email, 'not the password!')).text).toContain('<code>0007</code>');
    expect((await login(a.username, PLANFIX_PASSWORD)).text).toContain('<code>0007</code>');
    // the lock is the user's, not the account's: another user of the account still logs in
    const other = 'other-' + a.username;
    await admin(app.t.app.getHttpServer())
      .post(`/admin/accounts/${a.slug}/users`, {
        username: other,
        email: `${other}@example.com`,
        role: 'advisor',
        password: PLANFIX_PASSWORD,
      })
      .expect(201);
    expect((await login(other, PLANFIX_PASSWORD)).text).toMatch(/<sid>[0-9a-f]{32}<\/sid>/);
  });

  (ON_POSTGRES ? describe : describe.skip)('two instances on one database', () => {
    let b: TestApp;
    let baseB: string;
    beforeAll(async () => {
      b = await startTestApp({ env: { TRUST_PROXY: 'true', JWT_SECRET: app.t.jwtSecret } });
      baseB = await listen(b.app.getHttpServer());
    });
    afterAll(() => b?.close());

    it('Planpoint: 10 failures on one instance lock the user on the other, the right password included', async () => {
      const a = await planpointAccount(app.t.app.getHttpServer());
      for (const username of spellings(a)) {
        expect((await pp(app.t.app.getHttpServer()).post('/api/users/login', { username, password: 'not the password!' })).status).toBe(
          401,
        );
      }
      const res = await pp(b.app.getHttpServer()).post('/api/users/login', { username: a.email, password: a.password });
      expect({ status: res.status, body: res.body }).toEqual({ status: 429, body: { message: 'Too many login attempts' } });
    });

    it('Planfix: 10 wrong passwords on one instance lock the user on the other (0007), the right password included', async () => {
      const a = await planfixAccount(app.t.app.getHttpServer());
      const login = (base: string, name: string, password: string) =>
        xmlCall(
          base,
          `<request method="auth.login"><account>${a.slug}</account><login>${name}</login><password>${password}</password></request>`,
          {
            auth: `${a.key}:x`,
          },
        );
      for (const name of spellings(a)) expect((await login(app.base, name, 'not the password!')).text).toContain('<code>1001</code>');
      expect((await login(baseB, a.username, PLANFIX_PASSWORD)).text).toContain('<code>0007</code>');
    });
  });
});
