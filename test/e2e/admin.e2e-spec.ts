import { type Server } from 'node:http';
import request from 'supertest';
import { IdentityService } from '#identity';
import { admin, createAccountWithKey, unique } from '../factories/admin.factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('Admin API', () => {
  let t: TestApp;
  let server: Server;
  let api: ReturnType<typeof admin>;

  beforeAll(async () => {
    t = await startTestApp();
    server = t.app.getHttpServer();
    api = admin(server);
  });
  afterAll(() => t.close());

  /** Every error answer: the Admin API's shape, never a 500. */
  function expectAdminError(res: request.Response, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.status).toBeLessThan(500);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  }

  describe('authentication', () => {
    it('refuses a missing token with 401 and the error shape', async () => {
      const res = await request(server).get('/admin/accounts');
      expectAdminError(res, 401, 'unauthorized');
    });

    it('refuses a wrong token, and a token sent as Basic', async () => {
      expectAdminError(await request(server).get('/admin/accounts').set('Authorization', 'Bearer nope'), 401, 'unauthorized');
      expectAdminError(
        await request(server)
          .get('/admin/accounts')
          .set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`),
        401,
        'unauthorized',
      );
    });
  });

  describe('accounts', () => {
    it('creates an account with defaults, shows it, lists it and updates it', async () => {
      const slug = unique('acme');
      const created = await api.post('/admin/accounts', { slug, name: 'Acme Corp' }).expect(201);
      expect(created.body).toMatchObject({ slug, name: 'Acme Corp', plan: 'basic', status: 'active', users_count: 0 });
      expect(created.body.settings.plansync).toEqual({ requests_per_minute: 60 });
      expect(created.body.settings.planfix.daily_quota).toBe(20_000);
      expect(created.body.settings.planpoint.namespace).toBe(slug);
      expect(Date.parse(created.body.created_at)).not.toBeNaN();

      const shown = await api.get(`/admin/accounts/${slug}`).expect(200);
      expect(shown.body.slug).toBe(slug);

      const list = await api.get('/admin/accounts').expect(200);
      expect(list.body.count).toBe(list.body.accounts.length);
      expect(list.body.accounts.map((a: { slug: string }) => a.slug)).toContain(slug);

      const updated = await api.patch(`/admin/accounts/${slug}`, { name: 'Acme Inc', plan: 'premium' }).expect(200);
      expect(updated.body).toMatchObject({ name: 'Acme Inc', plan: 'premium' });
      expect(updated.body.settings.planfix.daily_quota).toBe(100_000);
    });

    it('merges settings field by field, resets with null and refuses unknown keys without changing anything', async () => {
      const slug = unique('set');
      await api.post('/admin/accounts', { slug, name: 'Settings' }).expect(201);
      await api.patch(`/admin/accounts/${slug}`, { settings: { plansync: { requests_per_minute: 120 } } }).expect(200);
      const both = await api
        .patch(`/admin/accounts/${slug}`, { settings: { forward_planner: { product_id: 7 }, planfix: { timezone: 'Europe/Berlin' } } })
        .expect(200);
      expect(both.body.settings.plansync.requests_per_minute).toBe(120);
      expect(both.body.settings.forward_planner.product_id).toBe(7);
      expect(both.body.settings.planfix.timezone).toBe('Europe/Berlin');

      const bad = await api.patch(`/admin/accounts/${slug}`, {
        name: 'Renamed',
        settings: { plansync: { requests_per_minute: 0 }, nope: {}, planfix: { burst: 5, colour: 'red' } },
      });
      expectAdminError(bad, 422, 'invalid_fields');
      expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(
        ['settings.nope', 'settings.planfix.colour', 'settings.plansync.requests_per_minute'].sort(),
      );
      const unchanged = await api.get(`/admin/accounts/${slug}`).expect(200);
      expect(unchanged.body.name).toBe('Settings');
      expect(unchanged.body.settings.planfix.burst).toBe(10);

      const reset = await api.patch(`/admin/accounts/${slug}`, { settings: { plansync: { requests_per_minute: null } } }).expect(200);
      expect(reset.body.settings.plansync.requests_per_minute).toBe(60);
      expect(reset.body.settings.forward_planner.product_id).toBe(7);
    });

    it.each([
      ['a slug with spaces', { slug: 'has space', name: 'x' }, 'slug'],
      ['a 10,000-character slug', { slug: 'a'.repeat(10_000), name: 'x' }, 'slug'],
      ['an upper-case slug', { slug: 'Acme', name: 'x' }, 'slug'],
      ['a numeric slug', { slug: 12345, name: 'x' }, 'slug'],
      ['a missing name', { slug: 'valid-slug' }, 'name'],
      ['an unknown plan', { slug: 'valid-slug', name: 'x', plan: 'gold' }, 'plan'],
      ['an unknown field', { slug: 'valid-slug', name: 'x', owner: 'me' }, 'owner'],
    ])('refuses %s with 422 naming the field', async (_what, body, field) => {
      const res = await api.post('/admin/accounts', body);
      expectAdminError(res, 422, 'invalid_fields');
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('refuses a body that is not an object, and malformed JSON with 400', async () => {
      expectAdminError(await api.post('/admin/accounts', [{ slug: 'x', name: 'y' }]), 422, 'invalid_fields');
      const res = await request(server)
        .post('/admin/accounts')
        .set('Authorization', `Bearer ${t.config.adminToken}`)
        .set('Content-Type', 'application/json')
        .send('{"slug": "abc", ');
      expectAdminError(res, 400, 'malformed_request');
    });

    it('refuses a body over 1 MiB with 413', async () => {
      const res = await api.post('/admin/accounts', { slug: 'big', name: 'x'.repeat(1_200_000) });
      expectAdminError(res, 413, 'payload_too_large');
    });

    it('answers a duplicate slug with 409 naming the field', async () => {
      const slug = unique('dup');
      await api.post('/admin/accounts', { slug, name: 'One' }).expect(201);
      const res = await api.post('/admin/accounts', { slug, name: 'Two' });
      expectAdminError(res, 409, 'conflict');
      expect(res.body.error.details).toEqual([{ field: 'slug', issue: 'already exists' }]);
    });

    it('answers an unknown account with 404', async () => {
      expectAdminError(await api.get('/admin/accounts/no-such-account'), 404, 'not_found');
      expectAdminError(await api.patch('/admin/accounts/no-such-account', { name: 'x' }), 404, 'not_found');
      expectAdminError(await api.get('/admin/accounts/no-such-account/users'), 404, 'not_found');
    });
  });

  describe('users', () => {
    it('creates, lists, shows and updates users without ever showing a password', async () => {
      const slug = unique('users');
      await api.post('/admin/accounts', { slug, name: 'Users' }).expect(201);
      const username = unique('alice');
      const created = await api
        .post(`/admin/accounts/${slug}/users`, {
          username,
          email: `${username}@example.com`,
          role: 'advisor',
          password: 'correct horse battery',
          assigned_clients: ['Acme'],
        })
        .expect(201);
      expect(created.body).toEqual({
        username,
        email: `${username}@example.com`,
        role: 'advisor',
        assigned_clients: ['Acme'],
        active: true,
        created_at: expect.any(String),
      });
      const list = await api.get(`/admin/accounts/${slug}/users`).expect(200);
      expect(list.body).toEqual({ users: [created.body], count: 1 });
      expect(JSON.stringify(list.body)).not.toMatch(/password|argon2/);

      const updated = await api
        .patch(`/admin/accounts/${slug}/users/${username}`, { role: 'plan sponsor', assigned_clients: ['Acme', 'Globex'] })
        .expect(200);
      expect(updated.body).toMatchObject({ role: 'plan sponsor', assigned_clients: ['Acme', 'Globex'] });
      expect((await api.get(`/admin/accounts/${slug}`).expect(200)).body.users_count).toBe(1);
    });

    it('keeps usernames and e-mails unique across the gateway, whatever their case (409)', async () => {
      const a = await createAccountWithKey(server);
      const slugB = unique('other');
      await api.post('/admin/accounts', { slug: slugB, name: 'Other' }).expect(201);
      const sameName = await api.post(`/admin/accounts/${slugB}/users`, {
        username: a.username.toUpperCase(),
        email: `${unique('x')}@example.com`,
        role: 'admin',
      });
      expectAdminError(sameName, 409, 'conflict');
      expect(sameName.body.error.details).toEqual([{ field: 'username', issue: 'already exists' }]);
      const sameEmail = await api.post(`/admin/accounts/${slugB}/users`, {
        username: unique('y'),
        email: a.email.toUpperCase(),
        role: 'admin',
      });
      expectAdminError(sameEmail, 409, 'conflict');
      expect(sameEmail.body.error.details).toEqual([{ field: 'email', issue: 'already exists' }]);
    });

    it.each([
      ['a role outside the five', { role: 'owner' }, 'role'],
      ['a short password', { password: 'short' }, 'password'],
      ['assigned_clients that is not an array of strings', { assigned_clients: 'Acme' }, 'assigned_clients'],
      ['assigned_clients with a number', { assigned_clients: ['Acme', 3] }, 'assigned_clients'],
      ['an invalid e-mail', { email: 'not-an-email' }, 'email'],
      ['a username with spaces', { username: 'bad name' }, 'username'],
      ['a 10,000-character username', { username: 'u'.repeat(10_000) }, 'username'],
    ])('refuses %s with 422', async (_what, override, field) => {
      const slug = unique('badusers');
      await api.post('/admin/accounts', { slug, name: 'Bad users' }).expect(201);
      const body = { username: unique('bob'), email: `${unique('bob')}@example.com`, role: 'admin', ...override };
      const res = await api.post(`/admin/accounts/${slug}/users`, body);
      expectAdminError(res, 422, 'invalid_fields');
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect((await api.get(`/admin/accounts/${slug}/users`)).body.count).toBe(0);
    });

    it('answers an unknown user with 404, also when it exists in another account', async () => {
      const a = await createAccountWithKey(server);
      const b = await createAccountWithKey(server);
      expectAdminError(await api.get(`/admin/accounts/${a.slug}/users/nobody`), 404, 'not_found');
      expectAdminError(await api.get(`/admin/accounts/${a.slug}/users/${b.username}`), 404, 'not_found');
      expectAdminError(await api.patch(`/admin/accounts/${a.slug}/users/${b.username}`, { role: 'advisor' }), 404, 'not_found');
      expectAdminError(await api.get(`/admin/accounts/${a.slug}/users/${b.username}/keys`), 404, 'not_found');
    });
  });

  describe('API keys', () => {
    it('shows the secret once, lists keys without it, and authenticates with it', async () => {
      const a = await createAccountWithKey(server);
      expect(a.key).toMatch(/^psk_[0-9A-Za-z]{40}$/);
      const list = await api.get(`/admin/accounts/${a.slug}/users/${a.username}/keys`).expect(200);
      expect(list.body.count).toBe(1);
      expect(list.body.keys[0]).toEqual({
        id: expect.any(String),
        name: 'primary',
        prefix: a.key.slice(0, 12),
        created_at: expect.any(String),
        last_used_at: null,
        revoked_at: null,
      });
      expect(JSON.stringify(list.body)).not.toContain(a.key);

      const principal = await t.app.get(IdentityService).authenticateKey(a.key);
      expect(principal).toMatchObject({ accountSlug: a.slug, username: a.username, role: 'admin', credentialId: list.body.keys[0].id });
    });

    it('refuses a duplicate key name among active keys (409) and allows it again after revocation', async () => {
      const a = await createAccountWithKey(server);
      const path = `/admin/accounts/${a.slug}/users/${a.username}/keys`;
      expectAdminError(await api.post(path, { name: a.keyName }), 409, 'conflict');
      await api.delete(`${path}/${a.keyName}`).expect(200);
      const again = await api.post(path, { name: a.keyName }).expect(201);
      expect(again.body.key).not.toBe(a.key);
    });

    it('revokes at once: the key is refused on the next call', async () => {
      const a = await createAccountWithKey(server);
      const identity = t.app.get(IdentityService);
      await identity.authenticateKey(a.key); // now cached
      const res = await api.delete(`/admin/accounts/${a.slug}/users/${a.username}/keys/${a.keyName}`).expect(200);
      expect(res.body).toEqual({ name: a.keyName, revoked_at: expect.any(String) });
      await expect(identity.authenticateKey(a.key)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      expectAdminError(await api.delete(`/admin/accounts/${a.slug}/users/${a.username}/keys/${a.keyName}`), 404, 'not_found');
    });

    it('refuses every key of a deactivated user and of a disabled account at once, and accepts them again', async () => {
      const a = await createAccountWithKey(server);
      const identity = t.app.get(IdentityService);
      await identity.authenticateKey(a.key);
      await api.patch(`/admin/accounts/${a.slug}/users/${a.username}`, { active: false }).expect(200);
      await expect(identity.authenticateKey(a.key)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await api.patch(`/admin/accounts/${a.slug}/users/${a.username}`, { active: true }).expect(200);
      await expect(identity.authenticateKey(a.key)).resolves.toMatchObject({ accountSlug: a.slug });
      await api.patch(`/admin/accounts/${a.slug}`, { status: 'disabled' }).expect(200);
      await expect(identity.authenticateKey(a.key)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it.each([
      ['a name with a slash', { name: 'a/b' }],
      ['a 10,000-character name', { name: 'k'.repeat(10_000) }],
      ['a missing name', {}],
      ['a numeric name', { name: 5 }],
    ])('refuses %s with 422', async (_what, body) => {
      const a = await createAccountWithKey(server);
      expectAdminError(await api.post(`/admin/accounts/${a.slug}/users/${a.username}/keys`, body), 422, 'invalid_fields');
    });

    it('answers an unknown key with 404', async () => {
      const a = await createAccountWithKey(server);
      expectAdminError(await api.delete(`/admin/accounts/${a.slug}/users/${a.username}/keys/nope`), 404, 'not_found');
    });

    it('never writes a key or the admin token to the log', async () => {
      const a = await createAccountWithKey(server);
      await t.app.get(IdentityService).authenticateKey(a.key);
      await request(server).get('/admin/accounts').set('Authorization', `Bearer ${t.config.adminToken}`).expect(200);
      expect(t.logs.lines.length).toBeGreaterThan(0);
      expect(t.logs.text).not.toContain(a.key);
      expect(t.logs.text).not.toContain(t.config.adminToken);
      expect(t.logs.text).toContain('[redacted]');
    });
  });
});
