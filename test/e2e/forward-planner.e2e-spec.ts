import { type Server } from 'node:http';
import request from 'supertest';
import { StoreService } from '#store';
import { sha256 } from '#identity';
import { admin, createAccountWithKey, unique, type AccountWithKey } from '../factories/admin.factory.js';
import {
  claimsOf,
  fpClient,
  fpEvent,
  fpLogin,
  handMadeJwt,
  importEvents,
  newItemId,
  type FpSession,
} from '../factories/forward-planner.factory.js';
import { ForwardPlannerIngester } from '../clients/forward-planner-ingester.js';
import { DemoSeedService } from '../../src/demo/demo-seed.service.js';
import { ON_POSTGRES, startTestApp, type TestApp } from '../support/test-app.js';

const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/;
const INVALID_LOGIN = { error: 'Unauthorised', message: 'Invalid username or API key' };

/** Every error: exactly `{error, message}` as JSON, the status asked for, never a 500. */
function expectError(res: request.Response, status: number, error: string, message?: string | RegExp) {
  expect(res.status).not.toBe(500);
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Object.keys(res.body)).toEqual(['error', 'message']);
  expect(res.body.error).toBe(error);
  if (typeof message === 'string') expect(res.body.message).toBe(message);
  else if (message) expect(res.body.message).toMatch(message);
  expect(res.headers['x-rate-limit-limit']).toMatch(/^\d+$/);
  expect(res.headers['x-rate-limit-remaining']).toMatch(/^\d+$/);
}

function ids(res: request.Response): number[] {
  expect(res.status).toBe(200);
  expect(Array.isArray(res.body)).toBe(true);
  return (res.body as { itemId: number }[]).map((e) => e.itemId);
}

describe('Forward Planner v2', () => {
  let t: TestApp;
  let server: Server;
  let store: StoreService;

  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    server = t.app.getHttpServer();
    store = t.app.get(StoreService);
  });
  afterAll(() => t.close());

  /** A fresh account with a key, logged in. */
  async function freshSession(): Promise<{ acct: AccountWithKey; s: FpSession; api: ReturnType<typeof fpClient> }> {
    const acct = await createAccountWithKey(server);
    return { acct, s: await fpLogin(server, acct), api: fpClient(server) };
  }

  describe('POST /api/v2/auth (checklist 1-2)', () => {
    it('logs in with JSON: exactly the five fields, a 15-minute HS256 JWT and an opaque refresh token, no-store', async () => {
      const acct = await createAccountWithKey(server);
      const res = await fpClient(server).login(acct.username, acct.key).expect(200);
      expect(Object.keys(res.body)).toEqual(['userId', 'productId', 'email', 'token', 'refreshToken']);
      expect(res.body).toMatchObject({ productId: 1, email: acct.email });
      expect(Number.isInteger(res.body.userId)).toBe(true);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['ratelimit-policy']).toBe('"fp-auth";q=30;w=60');
      expect(res.headers['x-rate-limit-remaining']).toBe('29');
      expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const [header] = res.body.token.split('.');
      expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
      const claims = claimsOf(res.body.token);
      expect(claims).toMatchObject({ sub: String(res.body.userId), acc: acct.slug, pid: 1, aud: 'plangate:forward-planner' });
      expect(claims.exp).toBe((claims.iat as number) + 900);
      expect(claims.fam).toMatch(/^[0-9a-f-]{36}$/);
      expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
      // stored as SHA-256 only
      const [{ n }] = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM refresh_tokens WHERE token_sha256 = $1', [
        sha256(res.body.refreshToken),
      ]);
      expect(n).toBe(1);
      expect(t.logs.text).not.toContain(res.body.refreshToken);
      expect(t.logs.lines.some((l) => l.includes('"url":"/api/v2/auth"') && l.includes('"protocol":"forward-planner"'))).toBe(true);
      expect(t.logs.text).not.toContain(acct.key);
    });

    it('logs in with an HTML form, and with the e-mail in any case as username', async () => {
      const acct = await createAccountWithKey(server);
      const form = await fpClient(server).loginForm(acct.username, acct.key).expect(200);
      expect(form.body.email).toBe(acct.email);
      await fpClient(server).login(acct.email.toUpperCase(), acct.key).expect(200);
      await fpClient(server).loginForm(acct.username.toUpperCase(), acct.key).expect(200);
    });

    it('answers every bad credential 401 with one message', async () => {
      const acct = await createAccountWithKey(server, { password: 'correct horse battery staple' });
      const other = await createAccountWithKey(server);
      const api = fpClient(server);
      for (const [username, password] of [
        [acct.username, other.key], // another user's key
        [acct.username, `psk_${'x'.repeat(40)}`], // a wrong key
        [acct.username, 'correct horse battery staple'], // the Plangate password
        [unique('nobody'), acct.key], // an unknown user
      ]) {
        const res = await api.login(username, password);
        expectError(res, 401, 'Unauthorised');
        expect(res.body).toEqual(INVALID_LOGIN);
      }
      // a revoked key, an inactive user, a disabled account
      const second = (await admin(server).post(`/admin/accounts/${acct.slug}/users/${acct.username}/keys`, { name: 'second' }).expect(201))
        .body.key;
      await admin(server).delete(`/admin/accounts/${acct.slug}/users/${acct.username}/keys/second`).expect(200);
      expect((await api.login(acct.username, second)).body).toEqual(INVALID_LOGIN);
      await admin(server).patch(`/admin/accounts/${acct.slug}/users/${acct.username}`, { active: false }).expect(200);
      expect((await api.login(acct.username, acct.key)).body).toEqual(INVALID_LOGIN);
      await admin(server).patch(`/admin/accounts/${other.slug}`, { status: 'disabled' }).expect(200);
      expect((await api.login(other.username, other.key)).body).toEqual(INVALID_LOGIN);
    });

    it('answers bad bodies 400, other types 415 and over 16 KiB 413', async () => {
      const acct = await createAccountWithKey(server);
      const api = fpClient(server);
      const required = 'username and password are required';
      expectError(await api.post('/api/v2/auth'), 400, 'Bad Request', required);
      expectError(await api.post('/api/v2/auth').send({ username: acct.username }), 400, 'Bad Request', required);
      expectError(await api.post('/api/v2/auth').send({ username: '', password: acct.key }), 400, 'Bad Request', required);
      expectError(await api.post('/api/v2/auth').send({ username: 42, password: acct.key }), 400, 'Bad Request', required);
      expectError(await api.post('/api/v2/auth').type('form').send('username=x'), 400, 'Bad Request', required);
      expectError(await api.post('/api/v2/auth').set('Content-Type', 'application/json').send('{"username":'), 400, 'Bad Request', /JSON/);
      expectError(await api.post('/api/v2/auth').set('Content-Type', 'application/json').send('[1]'), 400, 'Bad Request');
      expectError(await api.post('/api/v2/auth').set('Content-Type', 'text/plain').send('username=x'), 415, 'Unsupported Media Type');
      const big = { username: acct.username, password: acct.key, padding: 'x'.repeat(20 * 1024) };
      expectError(await api.post('/api/v2/auth').send(big), 413, 'Payload Too Large');
      // the connection and the body parsers are fine afterwards
      await api.login(acct.username, acct.key).expect(200);
    });

    it('counts 30 attempts a minute per client IP and username, then 429 with the seed body', async () => {
      const acct = await createAccountWithKey(server);
      const api = fpClient(server);
      for (let i = 0; i < 30; i++) expect((await api.login(acct.username, 'wrong')).status).toBe(401);
      const refused = await api.login(acct.username, acct.key);
      expectError(refused, 429, 'Throttle Limit Reached');
      const n = Number(refused.headers['retry-after']);
      expect(Number.isInteger(n) && n >= 1 && n <= 60).toBe(true);
      expect(refused.body.message).toBe(`You have exceeded the rate limit. Retry after ${n} seconds.`);
      expect(refused.headers['x-rate-limit-remaining']).toBe('0');
      // the same user from another IP, another user from this one
      await fpClient(server).login(acct.username, acct.key).expect(200);
      const other = await createAccountWithKey(server);
      await api.login(other.username, other.key).expect(200);
    });
  });

  describe('bearer tokens (checklist 3-4)', () => {
    let acct: AccountWithKey;
    let s: FpSession;

    beforeAll(async () => {
      acct = await createAccountWithKey(server);
      s = await fpLogin(server, acct);
    });

    it('opens events/date sent with Content-Type: application/json and no body', async () => {
      const res = await fpClient(server)
        .get('/api/v2/events/date?date=20300615', s.token)
        .set('Content-Type', 'application/json')
        .expect(200);
      expect(res.body).toEqual([]);
    });

    it('refuses every other bearer with 401 Unauthorised and WWW-Authenticate, counted in the public bucket', async () => {
      const api = fpClient(server);
      const claims = claimsOf(s.token);
      const now = Math.floor(Date.now() / 1000);
      const secret = t.jwtSecret;
      const [h, p, sig] = s.token.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: '999999' })).toString('base64url')}.${sig}`;
      const cases: [string, string | undefined, string][] = [
        ['no header', undefined, 'Missing access token'],
        ['Basic', `Basic ${Buffer.from(`${acct.username}:${acct.key}`).toString('base64')}`, 'Invalid or expired access token'],
        ['abc', 'Bearer abc', 'Invalid or expired access token'],
        ['tampered payload', `Bearer ${tampered}`, 'Invalid or expired access token'],
        ['alg none', `Bearer ${handMadeJwt({ alg: 'none', typ: 'JWT' }, claims, secret, 'none')}`, 'Invalid or expired access token'],
        ['HS512', `Bearer ${handMadeJwt({ alg: 'HS512', typ: 'JWT' }, claims, secret, 'HS512')}`, 'Invalid or expired access token'],
        [
          'another secret',
          `Bearer ${handMadeJwt({ alg: 'HS256', typ: 'JWT' }, claims, 'another-secret-0123456789abcdef0123')}`,
          'Invalid or expired access token',
        ],
        [
          'expired',
          `Bearer ${handMadeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now - 901, exp: now - 1 }, secret)}`,
          'Invalid or expired access token',
        ],
        [
          'wrong aud',
          `Bearer ${handMadeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, aud: 'plangate:planpoint' }, secret)}`,
          'Invalid or expired access token',
        ],
        [
          'no aud',
          `Bearer ${handMadeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, aud: undefined }, secret)}`,
          'Invalid or expired access token',
        ],
        ['refresh token', `Bearer ${s.refreshToken}`, 'Invalid or expired access token'],
        ['API key', `Bearer ${acct.key}`, 'Invalid or expired access token'],
        ['signature only', `Bearer ${p}.${sig}`, 'Invalid or expired access token'],
      ];
      for (const [, header, message] of cases) {
        const req = api.get('/api/v2/events/date?date=20300615');
        const res = await (header === undefined ? req : req.set('Authorization', header));
        expectError(res, 401, 'Unauthorised', message);
        expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
        expect(res.headers['ratelimit-policy']).toBe('"fp-public";q=30;w=60');
      }
      // the same claims re-signed HS256 with JWT_SECRET and a future exp are good
      const resigned = handMadeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now, exp: now + 600 }, secret);
      await api.get('/api/v2/events/date?date=20300615', resigned).expect(200);
    });
  });

  describe('POST /api/v2/auth/renew (checklist 5-6, 18)', () => {
    it('rotates on every renew, form or JSON; a rotated token revokes its family', async () => {
      const { acct, api } = await freshSession();
      const first = await fpLogin(server, acct);
      const second = await api.renewForm(first.refreshToken).expect(200);
      expect(Object.keys(second.body)).toEqual(['userId', 'productId', 'email', 'token', 'refreshToken']);
      expect(second.headers['cache-control']).toBe('no-store');
      expect(second.headers['ratelimit-policy']).toBe('"fp-public";q=30;w=60');
      expect(second.body.refreshToken).not.toBe(first.refreshToken);
      await api.get('/api/v2/categories', second.body.token).expect(200);
      const third = await api.renew(second.body.refreshToken).expect(200);
      // the first, already rotated, token: 400, and the whole family with it
      expectError(await api.renew(first.refreshToken), 400, 'Bad Request', 'Invalid refresh token');
      expectError(await api.renew(third.body.refreshToken), 400, 'Bad Request', 'Invalid refresh token');
      expectError(await api.get('/api/v2/categories', third.body.token), 401, 'Unauthorised');
      expectError(await api.get('/api/v2/categories', first.token), 401, 'Unauthorised');
      // another login is a new family
      const again = await fpLogin(server, acct);
      await api.get('/api/v2/categories', again.token).expect(200);
    });

    it('answers garbage, missing, unknown and expired tokens 400', async () => {
      const { acct, api } = await freshSession();
      expectError(await api.renew('garbage'), 400, 'Bad Request', 'Invalid refresh token');
      expectError(await api.renew('A'.repeat(43)), 400, 'Bad Request', 'Invalid refresh token');
      expectError(await api.post('/api/v2/auth/renew').send({}), 400, 'Bad Request', 'refreshToken is required');
      expectError(await api.post('/api/v2/auth/renew'), 400, 'Bad Request', 'refreshToken is required');
      expectError(await api.post('/api/v2/auth/renew').send({ refreshToken: 5 }), 400, 'Bad Request');
      expectError(await api.post('/api/v2/auth/renew').set('Content-Type', 'text/plain').send('x'), 415, 'Unsupported Media Type');
      const s = await fpLogin(server, acct);
      await store.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_sha256 = $1`, [
        sha256(s.refreshToken),
      ]);
      expectError(await api.renew(s.refreshToken), 400, 'Bad Request', 'Invalid refresh token');
    });

    it('lets one of two concurrent renews of a token win; the other is a reuse that revokes the family', async () => {
      const { acct, api } = await freshSession();
      const s = await fpLogin(server, acct);
      const answers = await Promise.all([api.renew(s.refreshToken), api.renew(s.refreshToken)]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
      const winner = answers.find((r) => r.status === 200)!;
      expectError(await api.renew(winner.body.refreshToken), 400, 'Bad Request');
      expectError(await api.get('/api/v2/categories', winner.body.token), 401, 'Unauthorised');
    });

    it('ends the families of a revoked key: renew 400, access 401, auth 401; the other key still works', async () => {
      const { acct, api } = await freshSession();
      const other = (await admin(server).post(`/admin/accounts/${acct.slug}/users/${acct.username}/keys`, { name: 'other' }).expect(201))
        .body.key;
      const s = await fpLogin(server, acct);
      await api.get('/api/v2/categories', s.token).expect(200);
      await admin(server).delete(`/admin/accounts/${acct.slug}/users/${acct.username}/keys/${acct.keyName}`).expect(200);
      expectError(await api.renew(s.refreshToken), 400, 'Bad Request');
      expectError(await api.get('/api/v2/categories', s.token), 401, 'Unauthorised');
      expect((await api.login(acct.username, acct.key)).body).toEqual(INVALID_LOGIN);
      const fresh = (await api.login(acct.username, other).expect(200)).body;
      await api.get('/api/v2/categories', fresh.token).expect(200);
    });

    it('refuses a deactivated user at once: access 401, renew 400', async () => {
      const { acct, s, api } = await freshSession();
      await api.get('/api/v2/categories', s.token).expect(200);
      await admin(server).patch(`/admin/accounts/${acct.slug}/users/${acct.username}`, { active: false }).expect(200);
      expectError(await api.get('/api/v2/categories', s.token), 401, 'Unauthorised');
      expectError(await api.renew(s.refreshToken), 400, 'Bad Request');
    });

    it('follows api_access: auth and renew 403, a live token 403; on again, 200 (checklist 18)', async () => {
      const { acct, s, api } = await freshSession();
      await api.get('/api/v2/categories', s.token).expect(200);
      await admin(server)
        .patch(`/admin/accounts/${acct.slug}`, { settings: { forward_planner: { api_access: false } } })
        .expect(200);
      const denied = 'Forward Planner API access is not enabled for this account';
      expectError(await api.login(acct.username, acct.key), 403, 'Forbidden', denied);
      expectError(await api.get('/api/v2/categories', s.token), 403, 'Forbidden', denied);
      expectError(await api.renew(s.refreshToken), 403, 'Forbidden', denied);
      await admin(server)
        .patch(`/admin/accounts/${acct.slug}`, { settings: { forward_planner: { api_access: true } } })
        .expect(200);
      await api.get('/api/v2/categories', s.token).expect(200);
      // the refused renew did not spend the token
      await api.renew(s.refreshToken).expect(200);
      await api.login(acct.username, acct.key).expect(200);
    });
  });

  describe('Admin API: import and delete (checklist 7)', () => {
    it('inserts, updates, leaves equal events alone, and names ignored fields', async () => {
      const { acct, s, api } = await freshSession();
      const six = Array.from({ length: 6 }, () => fpEvent({ startDate: '2031-01-10' }));
      expect((await importEvents(server, acct.slug, six).expect(200)).body).toEqual({
        inserted: 6,
        updated: 0,
        unchanged: 0,
        ignored_fields: [],
      });
      const before = (await api.get(`/api/v2/events/${six[1].itemId}`, s.token).expect(200)).body;
      await new Promise((r) => setTimeout(r, 5));
      const again = await importEvents(server, acct.slug, [
        { ...six[0], summary: 'Changed' },
        { ...six[1], extra: 1, Another: 'x' },
      ]).expect(200);
      expect(again.body).toEqual({ inserted: 0, updated: 1, unchanged: 1, ignored_fields: ['Another', 'extra'] });
      const unchanged = (await api.get(`/api/v2/events/${six[1].itemId}`, s.token).expect(200)).body;
      expect(unchanged.lastEditDateUtc).toBe(before.lastEditDateUtc);
      const changed = (await api.get(`/api/v2/events/${six[0].itemId}`, s.token).expect(200)).body;
      expect(changed.summary).toBe('Changed');
      expect(changed.lastEditDateUtc > changed.createdDateUtc).toBe(true);
      // productIds take part in the comparison
      expect((await importEvents(server, acct.slug, [{ ...six[2], productIds: [1] }]).expect(200)).body).toMatchObject({ updated: 1 });
    });

    it('refuses an import with one invalid event among valid ones: 422 naming it, nothing written', async () => {
      const { acct, s, api } = await freshSession();
      const good = fpEvent();
      const res = await importEvents(server, acct.slug, [
        good,
        fpEvent(),
        { ...fpEvent(), startDate: undefined },
        fpEvent({ startDate: '2030-02-30' }),
      ]);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('invalid_fields');
      expect(res.body.error.details).toEqual([
        { field: '[2].startDate', issue: 'required' },
        { field: '[3].startDate', issue: expect.stringMatching(/date/) },
      ]);
      expectError(await api.get(`/api/v2/events/${good.itemId}`, s.token), 404, 'Not Found', `Event ${good.itemId} not found`);
    });

    it.each([
      [
        'a duplicate itemId',
        () => {
          const e = fpEvent();
          return [e, { ...e }];
        },
        '[1].itemId',
      ],
      ['not an array', () => ({ itemId: 1 }), 'body'],
      ['an empty array', () => [], 'body'],
      ['itemId 0', () => [fpEvent({ itemId: 0 })], '[0].itemId'],
      ['no summary nor description', () => [fpEvent({ summary: '', description: '' })], '[0].summary'],
      ['endDate before startDate', () => [fpEvent({ endDate: '2030-06-14' })], '[0].endDate'],
      ['time without timezone', () => [fpEvent({ time: '09:30' })], '[0].timezone'],
      ['a bad time', () => [fpEvent({ time: '9.30', timezone: { timezoneOffset: 0 } })], '[0].time'],
      ['an offset past 14', () => [fpEvent({ time: '09:30', timezone: { timezoneOffset: 15 } })], '[0].timezone.timezoneOffset'],
      [
        'a press contact without id',
        () => [fpEvent({ pressContacts: [{ pressContactName: 'x' }] })],
        '[0].pressContacts[0].pressContactID',
      ],
      ['a category without name', () => [fpEvent({ categories: [{ categoryId: 1 }] })], '[0].categories[0].categoryName'],
      ['an event type without id', () => [fpEvent({ eventTypes: [{ tagName: 'x' }] })], '[0].eventTypes[0].tagId'],
      ['a string flag', () => [fpEvent({ isHeadline: 'yes' })], '[0].isHeadline'],
      ['productIds of 0', () => [fpEvent({ productIds: [0] })], '[0].productIds'],
      ['an embargo with an offset', () => [fpEvent({ embargoTime: '2030-01-01T10:00:00Z' })], '[0].embargoTime'],
    ])('refuses %s with 422', async (_what, body, field) => {
      const acct = await createAccountWithKey(server);
      const res = await importEvents(server, acct.slug, body()).expect(422);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    });

    it('refuses over 5,000 events with 413, and a body over 20 MiB with 413', async () => {
      const acct = await createAccountWithKey(server);
      const many = Array.from({ length: 5001 }, (_, i) => ({ itemId: i + 1, summary: 's', startDate: '2030-01-01' }));
      expect((await importEvents(server, acct.slug, many).expect(413)).body.error.code).toBe('payload_too_large');
      const huge = JSON.stringify([{ itemId: 1, summary: 's', startDate: '2030-01-01', description: 'x'.repeat(21 * 1024 * 1024) }]);
      const res = await admin(server).post(`/admin/accounts/${acct.slug}/events`).set('Content-Type', 'application/json').send(huge);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
    });

    it('takes a body over the global 1 MiB JSON limit (its parser runs first)', async () => {
      const { acct, s, api } = await freshSession();
      const events = Array.from({ length: 150 }, () => fpEvent({ startDate: '2032-03-03', description: 'd'.repeat(15_000) }));
      const body = JSON.stringify(events);
      expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
      const res = await admin(server)
        .post(`/admin/accounts/${acct.slug}/events`)
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(200);
      expect(res.body.inserted).toBe(150);
      expect(ids(await api.get('/api/v2/events/date?date=20320303&limit=2000', s.token))).toHaveLength(150);
      // everywhere else the global limit stands
      const big = await admin(server)
        .post('/admin/accounts')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ slug: 'x'.repeat(2 * 1024 * 1024) }));
      expect(big.status).toBe(413);
    });

    it('keeps a deletion against a stale re-send: an edit stamp older than the deletion stays deleted, a newer one revives', async () => {
      const { acct, s, api } = await freshSession();
      const utc = (ms: number) => new Date(ms).toISOString().slice(0, 23); // the wire's UTC stamp, no Z
      const e = fpEvent({ startDate: '2030-06-15', lastEditDateUtc: utc(Date.now() - 60_000) });
      await importEvents(server, acct.slug, [e]).expect(200);
      await admin(server).delete(`/admin/accounts/${acct.slug}/events/${e.itemId}`).expect(200);
      // the source sends the version it had before the deletion again (a retry, a replayed feed): still deleted
      const stale = await importEvents(server, acct.slug, [{ ...e, summary: 'stale copy' }]).expect(200);
      expect(stale.body).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
      expect((await api.get(`/api/v2/events/${e.itemId}`, s.token).expect(200)).body).toMatchObject({ deleted: true });
      expect(ids(await api.get('/api/v2/events/date?date=20300615', s.token))).toEqual([]);
      // an edit made after the deletion revives it
      const fresh = await importEvents(server, acct.slug, [
        { ...e, summary: 'edited again', lastEditDateUtc: utc(Date.now() + 1000) },
      ]).expect(200);
      expect(fresh.body).toMatchObject({ updated: 1 });
      expect((await api.get(`/api/v2/events/${e.itemId}`, s.token).expect(200)).body).toMatchObject({
        deleted: false,
        summary: 'edited again',
      });
      // without an edit stamp the import is the operator's word: it revives (docs/forward-planner.md)
      await admin(server).delete(`/admin/accounts/${acct.slug}/events/${e.itemId}`).expect(200);
      const { lastEditDateUtc: _, ...unstamped } = e;
      expect((await importEvents(server, acct.slug, [unstamped]).expect(200)).body).toMatchObject({ updated: 1 });
      expect(ids(await api.get('/api/v2/events/date?date=20300615', s.token))).toEqual([e.itemId]);
    });

    it('deletes as a tombstone, once; unknown → 404; another account → 404', async () => {
      const { acct } = await freshSession();
      const e = fpEvent();
      await importEvents(server, acct.slug, [e]).expect(200);
      const del = await admin(server).delete(`/admin/accounts/${acct.slug}/events/${e.itemId}`).expect(200);
      expect(del.body).toEqual({ itemId: e.itemId, deleted: true, deletionDate: expect.stringMatching(STAMP) });
      const again = await admin(server).delete(`/admin/accounts/${acct.slug}/events/${e.itemId}`).expect(200);
      expect(again.body).toEqual(del.body);
      await admin(server).delete(`/admin/accounts/${acct.slug}/events/${newItemId()}`).expect(404);
      await admin(server).delete(`/admin/accounts/${acct.slug}/events/abc`).expect(422);
      const other = await createAccountWithKey(server);
      await admin(server).delete(`/admin/accounts/${other.slug}/events/${e.itemId}`).expect(404);
    });
  });

  describe('reading events (checklist 8-14)', () => {
    let acct: AccountWithKey;
    let s: FpSession;
    let api: ReturnType<typeof fpClient>;
    const E: Record<string, Record<string, unknown>> = {};

    beforeAll(async () => {
      ({ acct, s, api } = await freshSession());
      const tz = {
        timezoneID: 8,
        timezoneAbbreviation: 'EDT',
        timezoneName: '(EDT) Eastern Daylight Savings Time',
        timezoneOffset: -4,
        timezoneIdentity: null,
      };
      E.multi = fpEvent({
        startDate: '2030-06-14',
        endDate: '2030-06-16T00:00:00',
        time: '09:30',
        timezone: tz,
        summary: 'Multi-day summit',
        isHeadline: true,
      });
      E.allDay = fpEvent({
        startDate: '2030-06-15',
        summary: 'All-day expo',
        venue: 'Hall of FINANCE',
        countryId: 38,
        countryName: 'Canada',
        country: { countryId: 38, countryName: 'Canada', region: 'CANADA', countryCode: 'CA' },
      });
      E.morning = fpEvent({
        startDate: '2030-06-15',
        time: '08:00',
        timezone: tz,
        organisationName: 'Example Institute',
        categories: [{ categoryId: 88, categoryName: 'Law & Order', categoryOrder: 60, categoryTypeId: 18, categoryTypeName: null }],
        eventTypes: [{ tagId: 148, tagName: 'Trade Conferences', tagTypeId: 7, tagTypeName: null }],
      });
      E.noon = fpEvent({
        startDate: '2030-06-15',
        time: '12:00',
        timezone: tz,
        primaryCategory: { categoryId: 12, categoryName: 'Economy', categoryOrder: 5 },
        countryId: 44,
        countryName: 'United Kingdom',
      });
      E.later = fpEvent({ startDate: '2030-06-20', eventTypes: [{ tagId: 3, tagName: 'Annual Meetings' }] });
      E.product = fpEvent({ startDate: '2030-06-15', productIds: [2] });
      E.embargo = fpEvent({ startDate: '2030-06-15', embargoTime: '2099-01-01T00:00:00.123' });
      E.released = fpEvent({ startDate: '2030-06-15', embargoTime: '2001-01-01T00:00:00' });
      await importEvents(server, acct.slug, Object.values(E)).expect(200);
    });

    it('renders texts with emoji, escapes and lookalike keys exactly, at the offset import stored or, without one, found again', async () => {
      // (a nested "website" key cannot come through import, which keeps the known fields of nested objects: the
      // serializer's unit spec covers that case)
      const { acct: other, s: session, api: client } = await freshSession();
      const odd = fpEvent({
        startDate: '2032-02-02',
        summary: 'Summit 😀 "website": \\ \u202e ✓',
        description: 'a\\"b\\\\"c 𝄞 {"website":1}',
        website: 'http://top.example/😀',
      });
      await importEvents(server, other.slug, [odd]).expect(200);
      const read = async () => (await client.get('/api/v2/events/date?date=20320202', session.token).expect(200)).text;
      const withOffset = await read();
      const [event] = JSON.parse(withOffset) as Record<string, unknown>[];
      expect(event).toMatchObject({ summary: odd.summary, description: odd.description, website: odd.website, deleted: false });
      expect(Object.keys(event).slice(Object.keys(event).indexOf('plannedBy') + 1, Object.keys(event).indexOf('website2'))).toEqual([
        'createdDate',
        'lastEditDate',
        'createdDateUtc',
        'lastEditDateUtc',
        'deleted',
        'deletionDate',
        'website',
      ]);
      // the offset import stored points at the top-level key in the text the store gives back (UTF-16, past the emoji)
      const [row] = await store.query<{ body: string; at: number | null }>(
        `SELECT e.body::text AS body, e.server_fields_at AS at FROM events e JOIN accounts a ON a.id = e.account_id WHERE a.slug = $1 AND e.item_id = $2`,
        [other.slug, odd.itemId],
      );
      expect(row.at).toBe(row.body.lastIndexOf('"website":'));
      // a row written before offsets were stored reads the same
      await store.query(`UPDATE events SET server_fields_at = NULL WHERE item_id = $1`, [odd.itemId]);
      expect(await read()).toBe(withOffset);
    });

    it('date covers every day of a multi-day event, by start date, all-day first, itemId; visible events only', async () => {
      expect(ids(await api.get('/api/v2/events/date?date=20300615', s.token))).toEqual([
        E.multi.itemId,
        E.allDay.itemId,
        E.released.itemId,
        E.morning.itemId,
        E.noon.itemId,
      ]);
      expect(ids(await api.get('/api/v2/events/date?date=20300614', s.token))).toEqual([E.multi.itemId]);
      expect(ids(await api.get('/api/v2/events/date?date=20300616', s.token))).toEqual([E.multi.itemId]);
      expect(ids(await api.get('/api/v2/events/date?date=20300617', s.token))).toEqual([]);
    });

    it("finds a long event on its last day however long it is, the account's longest span moving with imports", async () => {
      // a separate account: its longest span starts at 2 days, then a year-long event comes in
      const { acct: other, s: session, api: client } = await freshSession();
      const short = fpEvent({ startDate: '2031-01-01', endDate: '2031-01-03' });
      await importEvents(server, other.slug, [short]).expect(200);
      expect(ids(await client.get('/api/v2/events/date?date=20310103', session.token))).toEqual([short.itemId]);
      const season = fpEvent({ startDate: '2030-01-01', endDate: '2031-01-03', summary: 'Season' });
      await importEvents(server, other.slug, [season]).expect(200);
      expect(ids(await client.get('/api/v2/events/date?date=20310103', session.token))).toEqual([season.itemId, short.itemId]);
      expect(ids(await client.get('/api/v2/events/between?startDate=20310102&endDate=20310110', session.token))).toEqual([
        season.itemId,
        short.itemId,
      ]);
      expect(ids(await client.get('/api/v2/events/date?date=20310104', session.token))).toEqual([]);
    });

    it('between is inclusive; limit and offset page; past the end []', async () => {
      const all = ids(await api.get('/api/v2/events/between?startDate=20300614&endDate=20300620', s.token));
      expect(all).toEqual([E.multi.itemId, E.allDay.itemId, E.released.itemId, E.morning.itemId, E.noon.itemId, E.later.itemId]);
      expect(ids(await api.get('/api/v2/events/between?startDate=20300616&endDate=20300616', s.token))).toEqual([E.multi.itemId]);
      expect(ids(await api.get('/api/v2/events/between?startDate=20300620&endDate=20300620', s.token))).toEqual([E.later.itemId]);
      expect(ids(await api.get('/api/v2/events/between?startDate=20300614&endDate=20300620&limit=2&offset=2', s.token))).toEqual(
        all.slice(2, 4),
      );
      expect(ids(await api.get('/api/v2/events/between?startDate=20300614&endDate=20300620&limit=2000&offset=6', s.token))).toEqual([]);
    });

    it('filters by category, event type, country, keyword in any case and headline, each exactly (checklist 9)', async () => {
      const d = '/api/v2/events/between?startDate=20300101&endDate=20301231';
      expect(ids(await api.get(`${d}&categoryId=88`, s.token))).toEqual([E.morning.itemId]);
      expect(ids(await api.get(`${d}&categoryId=12,88`, s.token))).toEqual([E.morning.itemId, E.noon.itemId]);
      expect(ids(await api.get(`${d}&eventTypeId=3`, s.token))).toEqual([E.later.itemId]);
      expect(ids(await api.get(`${d}&countryId=38`, s.token))).toEqual([E.allDay.itemId]);
      expect(ids(await api.get(`${d}&countryId=38,44`, s.token))).toEqual([E.allDay.itemId, E.noon.itemId]);
      expect(ids(await api.get(`${d}&keyword=finance`, s.token))).toEqual([E.allDay.itemId]);
      expect(ids(await api.get(`${d}&keyword=%20EXAMPLE%20institute%20`, s.token))).toEqual([E.morning.itemId]);
      expect(ids(await api.get(`${d}&keyword=SUMMIT`, s.token))).toEqual([E.multi.itemId]);
      expect(ids(await api.get(`${d}&keyword=`, s.token))).toHaveLength(6);
      expect(ids(await api.get(`${d}&isHeadline=TRUE`, s.token))).toEqual([E.multi.itemId]);
      expect(ids(await api.get(`${d}&isHeadline=0`, s.token))).toHaveLength(5);
      expect(ids(await api.get(`${d}&isHeadline=true&categoryId=88`, s.token))).toEqual([]);
      // parameter names in any case, and unknown ones ignored
      expect(ids(await api.get(`/api/v2/events/between?STARTDATE=20300101&enddate=20301231&CategoryID=88&foo=bar`, s.token))).toEqual([
        E.morning.itemId,
      ]);
    });

    it('shows one event with every field, the stamps in London and UTC, no productIds (checklist 11)', async () => {
      const res = await api.get(`/api/v2/events/${E.morning.itemId}`, s.token).expect(200);
      const e = res.body;
      expect(Object.keys(e)).toEqual([
        'itemId',
        'summary',
        'description',
        'startDate',
        'endDate',
        'time',
        'tbcTime',
        'embargoTime',
        'timezone',
        'venue',
        'tbcVenue',
        'venueData',
        'organisationId',
        'organisationName',
        'organisation',
        'eventConfirmed',
        'isAnnual',
        'isHeadline',
        'isTopStory',
        'isLive',
        'isNew',
        'isUpdated',
        'isProvisional',
        'isVirtual',
        'plannedBy',
        'createdDate',
        'lastEditDate',
        'createdDateUtc',
        'lastEditDateUtc',
        'deleted',
        'deletionDate',
        'website',
        'website2',
        'twitterWebsite',
        'twitterHashTag',
        'facebookPage',
        'linkedInPage',
        'regionId',
        'countryId',
        'countryName',
        'country',
        'indicator',
        'period',
        'pressContacts',
        'categories',
        'primaryCategory',
        'eventTypes',
        'influencers',
        'order',
        'locale',
      ]);
      expect(e).toMatchObject({
        startDate: '2030-06-15T00:00:00',
        endDate: '2030-06-15T00:00:00',
        time: '08:00',
        pressContacts: [],
        deleted: false,
        deletionDate: null,
      });
      expect(Object.keys(e.timezone)).toEqual(['timezoneID', 'timezoneAbbreviation', 'timezoneName', 'timezoneOffset', 'timezoneIdentity']);
      expect(e.categories).toEqual([
        { categoryId: 88, categoryName: 'Law & Order', categoryOrder: 60, categoryTypeId: 18, categoryTypeName: null },
      ]);
      for (const f of ['createdDate', 'lastEditDate', 'createdDateUtc', 'lastEditDateUtc']) expect(e[f]).toMatch(STAMP);
      expect(Math.abs(Date.parse(`${e.lastEditDateUtc}Z`) - Date.now())).toBeLessThan(60_000);
      const london = new Date(Date.parse(`${e.lastEditDateUtc}Z`)).toLocaleString('sv-SE', { timeZone: 'Europe/London' }).replace(' ', 'T');
      expect(e.lastEditDate.slice(0, 19)).toBe(london);
      expect(e).not.toHaveProperty('productIds');
      const multi = (await api.get(`/api/v2/events/${E.multi.itemId}`, s.token).expect(200)).body;
      expect(multi.endDate).toBe('2030-06-16T00:00:00');
      const released = (await api.get(`/api/v2/events/${E.released.itemId}`, s.token).expect(200)).body;
      expect(released.embargoTime).toBe('2001-01-01T00:00:00');
    });

    it('answers an unknown id 404, another product’s event 403, an embargoed one 403; lists omit both (checklist 12)', async () => {
      expectError(await api.get('/api/v2/events/2147483647', s.token), 404, 'Not Found', 'Event 2147483647 not found');
      expectError(
        await api.get(`/api/v2/events/${E.product.itemId}`, s.token),
        403,
        'Forbidden',
        `You do not have access to event ${E.product.itemId}`,
      );
      expectError(
        await api.get(`/api/v2/events/${E.embargo.itemId}`, s.token),
        403,
        'Forbidden',
        `Event ${E.embargo.itemId} is under embargo`,
      );
      const latest = ids(await api.get('/api/v2/events/latest?date=20000101&time=0000&limit=5000', s.token));
      expect(latest).not.toContain(E.product.itemId);
      expect(latest).not.toContain(E.embargo.itemId);
    });

    it('follows product_id and embargo_access from the next request', async () => {
      const other = await createAccountWithKey(server);
      const p = await fpLogin(server, other);
      const product = fpEvent({ productIds: [2, 10] });
      const embargoed = fpEvent({ embargoTime: '2099-01-01T00:00:00' });
      await importEvents(server, other.slug, [product, embargoed]).expect(200);
      await admin(server)
        .patch(`/admin/accounts/${other.slug}`, { settings: { forward_planner: { product_id: 10, embargo_access: true } } })
        .expect(200);
      await api.get(`/api/v2/events/${product.itemId}`, p.token).expect(200);
      const e = (await api.get(`/api/v2/events/${embargoed.itemId}`, p.token).expect(200)).body;
      expect(e.embargoTime).toBe('2099-01-01T00:00:00');
      expect(ids(await api.get('/api/v2/events/latest?date=20000101', p.token))).toEqual([product.itemId, embargoed.itemId]);
      expect((await fpClient(server).login(other.username, other.key).expect(200)).body.productId).toBe(10);
    });

    it('latest is ordered by change, shows a deleted event last as a tombstone that leaves date and between (checklist 13)', async () => {
      const latest = await api.get('/api/v2/events/latest?date=20000101&time=0000', s.token);
      const stamps = (latest.body as { lastEditDateUtc: string; itemId: number }[]).map((e) => [e.lastEditDateUtc, e.itemId] as const);
      expect(stamps).toEqual([...stamps].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1])));
      await admin(server).delete(`/admin/accounts/${acct.slug}/events/${E.later.itemId}`).expect(200);
      const after = (await api.get('/api/v2/events/latest?date=20000101&time=0000', s.token).expect(200)).body as Record<string, unknown>[];
      const last = after[after.length - 1];
      expect(last).toMatchObject({ itemId: E.later.itemId, deleted: true, deletionDate: expect.stringMatching(STAMP) });
      expect(ids(await api.get('/api/v2/events/date?date=20300620', s.token))).toEqual([]);
      expect(ids(await api.get('/api/v2/events/between?startDate=20300101&endDate=20301231', s.token))).not.toContain(E.later.itemId);
      expect((await api.get(`/api/v2/events/${E.later.itemId}`, s.token).expect(200)).body.deleted).toBe(true);
      const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
      expect(ids(await api.get(`/api/v2/events/latest?date=${tomorrow}`, s.token))).toEqual([]);
      // re-importing revives it
      await importEvents(server, acct.slug, [E.later]).expect(200);
      expect(ids(await api.get('/api/v2/events/date?date=20300620', s.token))).toEqual([E.later.itemId]);
    });

    it('reads latest date and time as Europe/London wall-clock time', async () => {
      const other = await createAccountWithKey(server);
      const p = await fpLogin(server, other);
      await importEvents(server, other.slug, [fpEvent()]).expect(200);
      const edited = Date.parse(`${(await api.get('/api/v2/events/latest?date=20000101', p.token)).body[0].lastEditDateUtc}Z`);
      const wall = (ms: number) => new Date(ms).toLocaleString('sv-SE', { timeZone: 'Europe/London' });
      const query = (ms: number) => `date=${wall(ms).slice(0, 10).replace(/-/g, '')}&time=${wall(ms).slice(11, 16).replace(':', '')}`;
      expect(ids(await api.get(`/api/v2/events/latest?${query(edited - 60_000)}`, p.token))).toHaveLength(1);
      expect(ids(await api.get(`/api/v2/events/latest?${query(edited + 60_000)}`, p.token))).toHaveLength(0);
    });

    it('lists categories, event types and countries of the visible events (checklist 14)', async () => {
      expect((await api.get('/api/v2/categories', s.token).expect(200)).body).toEqual([
        { categoryId: 12, categoryName: 'Economy', categoryOrder: 5, categoryTypeId: 0, categoryTypeName: null },
        { categoryId: 88, categoryName: 'Law & Order', categoryOrder: 60, categoryTypeId: 18, categoryTypeName: null },
      ]);
      expect((await api.get('/api/v2/eventtypes', s.token).expect(200)).body).toEqual([
        { tagId: 3, tagName: 'Annual Meetings', tagTypeId: 0, tagTypeName: null },
        { tagId: 148, tagName: 'Trade Conferences', tagTypeId: 7, tagTypeName: null },
      ]);
      expect((await api.get('/api/v2/countries?limit=1', s.token).expect(200)).body).toEqual([
        { countryId: 38, countryName: 'Canada', region: 'CANADA', countryCode: 'CA' },
        { countryId: 44, countryName: 'United Kingdom', region: null, countryCode: null },
      ]);
    });

    it('gzips answers over 1 KiB for clients that accept it', async () => {
      const res = await api.get('/api/v2/events/date?date=20300615', s.token).set('Accept-Encoding', 'gzip').expect(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(ids(res)).toHaveLength(5);
      const plain = await api.get('/api/v2/events/date?date=20300615', s.token).set('Accept-Encoding', 'identity').expect(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
    });
  });

  describe('limits (checklist 15-16)', () => {
    it('counts a fresh account’s requests down from 500 a minute, every answer carrying the headers', async () => {
      const { s, api } = await freshSession();
      const first = await api.get('/api/v2/events/date?date=20300615', s.token).expect(200);
      expect(first.headers['x-rate-limit-limit']).toBe('500');
      expect(first.headers['x-rate-limit-remaining']).toBe('499');
      const reset = Number(first.headers['x-rate-limit-reset']);
      expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
      expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60);
      expect(first.headers['ratelimit-policy']).toBe('"fp-minute";q=500;w=60, "fp-hour";q=3000;w=3600, "fp-day";q=10000;w=86400');
      expect(first.headers.ratelimit).toMatch(/^"fp-minute";r=499;t=\d+$/);
      // every outcome counts: a 400 and a 404 too
      expect((await api.get('/api/v2/events/date?date=nope', s.token)).headers['x-rate-limit-remaining']).toBe('498');
      expect((await api.get('/api/v2/events/2147483647', s.token)).headers['x-rate-limit-remaining']).toBe('497');
      expect((await api.get('/api/v2/categories', s.token)).headers['x-rate-limit-remaining']).toBe('496');
    });

    it('answers HEAD as GET without a body, counted as one request (docs/forward-planner.md)', async () => {
      const { acct, s } = await freshSession();
      await importEvents(server, acct.slug, [fpEvent({ startDate: '2030-06-15' })]).expect(200);
      const get = await request(server).get('/api/v2/events/date?date=20300615').set('Authorization', `Bearer ${s.token}`).expect(200);
      const head = await request(server).head('/api/v2/events/date?date=20300615').set('Authorization', `Bearer ${s.token}`);
      expect([head.status, head.headers['content-type'], head.text ?? '']).toEqual([200, get.headers['content-type'], '']);
      expect([get.headers['x-rate-limit-remaining'], head.headers['x-rate-limit-remaining']]).toEqual(['499', '498']);
      // refusals too: an unknown token is a 401 without a body
      const refused = await request(server).head('/api/v2/events/date?date=20300615').set('Authorization', 'Bearer nope');
      expect([refused.status, refused.text ?? '']).toEqual([401, '']);
    });

    it('answers 429 with the seed body past limit_per_minute, without touching other accounts; renew still works', async () => {
      const { acct, s, api } = await freshSession();
      const bystander = await freshSession();
      await admin(server)
        .patch(`/admin/accounts/${acct.slug}`, { settings: { forward_planner: { limit_per_minute: 3 } } })
        .expect(200);
      for (let i = 0; i < 3; i++) await api.get('/api/v2/categories', s.token).expect(200);
      const refused = await api.get('/api/v2/categories', s.token);
      expectError(refused, 429, 'Throttle Limit Reached');
      const n = Number(refused.headers['retry-after']);
      expect(Number.isInteger(n) && n >= 1 && n <= 60).toBe(true);
      expect(refused.body).toEqual({
        error: 'Throttle Limit Reached',
        message: `You have exceeded the rate limit. Retry after ${n} seconds.`,
      });
      expect(refused.headers['x-rate-limit-remaining']).toBe('0');
      expect(refused.headers['x-rate-limit-limit']).toBe('3');
      await bystander.api.get('/api/v2/categories', bystander.s.token).expect(200);
      await api.renew(s.refreshToken).expect(200);
    });

    it('limits the hour and the day too, and names the longest full window in Retry-After', async () => {
      const { acct, s, api } = await freshSession();
      await admin(server)
        .patch(`/admin/accounts/${acct.slug}`, { settings: { forward_planner: { limit_per_hour: 2 } } })
        .expect(200);
      const ok = await api.get('/api/v2/categories', s.token).expect(200);
      expect(ok.headers['x-rate-limit-limit']).toBe('2');
      await api.get('/api/v2/categories', s.token).expect(200);
      const refused = await api.get('/api/v2/categories', s.token);
      expectError(refused, 429, 'Throttle Limit Reached');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(3600);
    });

    (ON_POSTGRES ? it : it.skip)('counts an account across instances on one store: tokens and limits work on both', async () => {
      // instances of one deployment share JWT_SECRET
      const other = await startTestApp({ env: { TRUST_PROXY: 'true', JWT_SECRET: t.jwtSecret } });
      try {
        const { acct, s } = await freshSession();
        await admin(server)
          .patch(`/admin/accounts/${acct.slug}`, { settings: { forward_planner: { limit_per_minute: 4 } } })
          .expect(200);
        const here = fpClient(server);
        const there = fpClient(other.app.getHttpServer());
        const remaining: string[] = [];
        for (const api of [here, there, here, there])
          remaining.push((await api.get('/api/v2/categories', s.token).expect(200)).headers['x-rate-limit-remaining']);
        expect(remaining).toEqual(['3', '2', '1', '0']);
        expectError(await there.get('/api/v2/categories', s.token), 429, 'Throttle Limit Reached');
        expectError(await here.get('/api/v2/categories', s.token), 429, 'Throttle Limit Reached');
        // a refresh token rotated on one instance is a reuse on the other, and the family ends on both within a second
        const renewed = (await there.renew(s.refreshToken).expect(200)).body;
        expectError(await here.renew(s.refreshToken), 400, 'Bad Request');
        await new Promise((r) => setTimeout(r, 1000));
        expectError(await there.get('/api/v2/eventtypes', renewed.token), 401, 'Unauthorised');
      } finally {
        await other.close();
      }
    });

    it('counts 401s, unknown paths and renewals per client IP: 30 a minute', async () => {
      const api = fpClient(server);
      for (let i = 0; i < 10; i++) expect((await api.get('/api/v2/categories')).status).toBe(401);
      for (let i = 0; i < 10; i++) expect((await api.get('/api/v2/nothing')).status).toBe(404);
      for (let i = 0; i < 10; i++) expect((await api.renew('garbage')).status).toBe(400);
      expectError(await api.get('/api/v2/nothing'), 429, 'Throttle Limit Reached');
      expectError(await api.get('/api/v2/categories'), 429, 'Throttle Limit Reached');
    });
  });

  describe('isolation between accounts (checklist 17)', () => {
    it('keeps events to their account; the same itemId lives in both', async () => {
      const a = await freshSession();
      const b = await freshSession();
      const e = fpEvent({ startDate: '2033-03-03', summary: 'A only' });
      await importEvents(server, a.acct.slug, [e]).expect(200);
      expectError(await b.api.get(`/api/v2/events/${e.itemId}`, b.s.token), 404, 'Not Found');
      expect(ids(await b.api.get('/api/v2/events/date?date=20330303', b.s.token))).toEqual([]);
      expect(ids(await b.api.get('/api/v2/events/latest?date=20000101', b.s.token))).toEqual([]);
      await importEvents(server, b.acct.slug, [{ ...e, summary: 'B only' }]).expect(200);
      expect((await a.api.get(`/api/v2/events/${e.itemId}`, a.s.token).expect(200)).body.summary).toBe('A only');
      expect((await b.api.get(`/api/v2/events/${e.itemId}`, b.s.token).expect(200)).body.summary).toBe('B only');
      await admin(server).delete(`/admin/accounts/${b.acct.slug}/events/${e.itemId}`).expect(200);
      expect((await a.api.get(`/api/v2/events/${e.itemId}`, a.s.token).expect(200)).body.deleted).toBe(false);
    });
  });

  describe('routing and bad input (checklist 10, 19; docs/forward-planner.md)', () => {
    let s: FpSession;
    let api: ReturnType<typeof fpClient>;
    beforeAll(async () => {
      ({ s, api } = await freshSession());
    });

    it('answers unknown paths 404 and known paths with another method 405 with Allow, with or without a token', async () => {
      const anon = fpClient(server);
      expectError(await anon.get('/api/v2/nothing'), 404, 'Not Found');
      expectError(await api.get('/api/v2/nothing', s.token), 404, 'Not Found');
      expectError(await anon.get('/api/v2'), 404, 'Not Found');
      expectError(await anon.get('/api/v2/events/1/extra'), 404, 'Not Found');
      const post = await anon.post('/api/v2/events/date');
      expectError(post, 405, 'Method Not Allowed');
      expect(post.headers.allow).toBe('GET');
      const get = await anon.get('/api/v2/auth');
      expectError(get, 405, 'Method Not Allowed');
      expect(get.headers.allow).toBe('POST');
      expect((await anon.get('/api/v2/auth/renew')).headers.allow).toBe('POST');
    });

    it('matches paths in any case and with one trailing slash', async () => {
      expect(ids(await api.get('/API/V2/Events/Date/?date=20300615', s.token))).toEqual([]);
      expect((await api.get('/api/v2/EventTypes', s.token)).status).toBe(200);
      await fpClient(server).post('/API/v2/Auth/').send({ username: 'x', password: 'y' }).expect(401);
    });

    it.each([
      ['date=2025-01-01', '/api/v2/events/date?date=2025-01-01', /^date must be a calendar date in yyyyMMdd format$/],
      ['date=2025011', '/api/v2/events/date?date=2025011', /^date /],
      ['date=20250230', '/api/v2/events/date?date=20250230', /^date /],
      ['date=20251301', '/api/v2/events/date?date=20251301', /^date /],
      ['date=18991231', '/api/v2/events/date?date=18991231', /^date /],
      ['no date', '/api/v2/events/date', /^date is required/],
      ['date twice', '/api/v2/events/date?date=20250101&date=20250102', /^date must be given once$/],
      ['date twice in two cases', '/api/v2/events/date?date=20250101&DATE=20250102', /^date must be given once$/],
      ['time=960', '/api/v2/events/latest?date=20250101&time=960', /^time must be a time in HHmm format$/],
      ['time=2460', '/api/v2/events/latest?date=20250101&time=2460', /^time /],
      ['time=12:30', '/api/v2/events/latest?date=20250101&time=12:30', /^time /],
      ['latest without date', '/api/v2/events/latest?time=1230', /^date /],
      ['between without endDate', '/api/v2/events/between?startDate=20250101', /^endDate is required/],
      ['between without startDate', '/api/v2/events/between?endDate=20250101', /^startDate is required/],
      ['between reversed', '/api/v2/events/between?startDate=20250102&endDate=20250101', /^endDate must not be before startDate$/],
      ['limit=0', '/api/v2/events/date?date=20250101&limit=0', /^limit must be an integer from 1 to 5000$/],
      ['limit=-1', '/api/v2/events/date?date=20250101&limit=-1', /^limit /],
      ['limit=abc', '/api/v2/events/date?date=20250101&limit=abc', /^limit /],
      ['limit=1.5', '/api/v2/events/date?date=20250101&limit=1.5', /^limit /],
      ['limit=1e3', '/api/v2/events/date?date=20250101&limit=1e3', /^limit /],
      ['limit=5001', '/api/v2/events/date?date=20250101&limit=5001', /^limit /],
      ['limit=', '/api/v2/events/date?date=20250101&limit=', /^limit /],
      ['offset=-1', '/api/v2/events/date?date=20250101&offset=-1', /^offset must be an integer of at least 0$/],
      [
        'categoryId=a',
        '/api/v2/events/date?date=20250101&categoryId=a',
        /^categoryId must be a comma-separated list of positive integers$/,
      ],
      ['categoryId=1,,2', '/api/v2/events/date?date=20250101&categoryId=1,,2', /^categoryId /],
      ['categoryId=0', '/api/v2/events/date?date=20250101&categoryId=0', /^categoryId /],
      ['eventTypeId=x', '/api/v2/events/date?date=20250101&eventTypeId=x', /^eventTypeId /],
      ['countryId=-3', '/api/v2/events/date?date=20250101&countryId=-3', /^countryId /],
      ['isHeadline=maybe', '/api/v2/events/date?date=20250101&isHeadline=maybe', /^isHeadline must be true or false$/],
      [
        'a 101-character keyword',
        `/api/v2/events/date?date=20250101&keyword=${'k'.repeat(101)}`,
        /^keyword must be at most 100 characters$/,
      ],
      ['/events/abc', '/api/v2/events/abc', /^itemId must be an integer from 1 to 2147483647$/],
      ['/events/0', '/api/v2/events/0', /^itemId /],
      ['/events/99999999999', '/api/v2/events/99999999999', /^itemId /],
      ['/events/2147483648', '/api/v2/events/2147483648', /^itemId /],
    ])('answers %s with 400 {error, message}', async (_what, path, message) => {
      expectError(await api.get(path, s.token), 400, 'Bad Request', message);
    });

    it('takes limit=2000 and the maximum, and ignores paging on reference lists (checklist 10)', async () => {
      expect((await api.get('/api/v2/events/date?date=20300615&limit=2000', s.token)).status).toBe(200);
      expect((await api.get('/api/v2/events/date?date=20300615&limit=5000&offset=0', s.token)).status).toBe(200);
      expect((await api.get('/api/v2/categories?limit=abc', s.token)).status).toBe(200);
    });

    it('answers a malformed JSON body on a GET in its own format', async () => {
      const res = await api.get('/api/v2/categories', s.token).set('Content-Type', 'application/json').send('{nope');
      expect(res.status).toBe(400);
      expect(Object.keys(res.body)).toEqual(['error', 'message']);
    });
  });

  describe('a production-like ingester', () => {
    it('imports a year by day with limit=2000, then polls latest, renewing on 401 and logging in again on 400, and ends with exactly the stored events', async () => {
      const acct = await createAccountWithKey(server);
      const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
      // 400 events over the coming year (some multi-day, some on the same day), 5 beyond it, 3 of another product
      const events = Array.from({ length: 400 }, (_, i) =>
        fpEvent({
          startDate: day(i % 360),
          endDate: day((i % 360) + (i % 7 === 0 ? 2 : 0)),
          summary: `Event ${i}`,
          time: i % 3 ? '10:00' : '',
          timezone: { timezoneOffset: 0 },
        }),
      );
      const beyond = Array.from({ length: 5 }, () => fpEvent({ startDate: day(400) }));
      const otherProduct = Array.from({ length: 3 }, () => fpEvent({ startDate: day(3), productIds: [7] }));
      await importEvents(server, acct.slug, [...events, ...beyond, ...otherProduct]).expect(200);

      const ingester = new ForwardPlannerIngester(server, { username: acct.username, password: acct.key, clientIp: fpClient(server).ip });
      await ingester.update();
      expect(ingester.calls.filter((c) => c.startsWith('GET /api/v2/events/date?limit=2000&date='))).toHaveLength(365);
      expect(ingester.calls.filter((c) => !c.endsWith('→ 200'))).toEqual([]);
      expect([...ingester.events.keys()].sort()).toEqual(events.map((e) => e.itemId).sort());

      // the operator changes, deletes and adds events; the ingester's token has expired meanwhile
      await importEvents(server, acct.slug, [
        { ...events[0], summary: 'Changed' },
        fpEvent({ startDate: day(10) }),
        fpEvent({ startDate: day(500) }),
      ]).expect(200);
      await admin(server).delete(`/admin/accounts/${acct.slug}/events/${events[1].itemId}`).expect(200);
      ingester.token = 'expired';
      const calls = ingester.calls.length;
      await ingester.update();
      const run = ingester.calls.slice(calls);
      expect(run[0]).toBe('POST /api/v2/auth/renew → 200');
      expect(run.filter((c) => c.startsWith('GET /api/v2/events/latest?'))).toEqual([
        expect.stringMatching(/offset=0 → 200$/),
        expect.stringMatching(/offset=2000 → 200$/),
      ]);
      expect(ingester.events.get(events[0].itemId as number)?.summary).toBe('Changed');
      expect(ingester.events.has(events[1].itemId as number)).toBe(false);

      // a refresh token that no longer works: renew 400, then a new login
      ingester.tokens.refreshToken = 'A'.repeat(43);
      await ingester.update();
      expect(ingester.calls.slice(-4, -2)).toEqual(['POST /api/v2/auth/renew → 400', 'POST /api/v2/auth → 200']);

      // exactly what the store holds for this account, visible and not deleted
      const stored = await store.query<{ item_id: number }>(
        `SELECT e.item_id FROM events e JOIN accounts a ON a.id = e.account_id
          WHERE a.slug = $1 AND NOT e.deleted AND cardinality(e.product_ids) = 0 ORDER BY e.item_id`,
        [acct.slug],
      );
      expect([...ingester.events.keys()].sort((x, y) => x - y)).toEqual(stored.map((r) => r.item_id));
      expect(ingester.language).toBe('en-CA');
    });
  });
});

describe('Forward Planner demo data', () => {
  (ON_POSTGRES ? it.skip : it)('seeds a few events for the demo account, readable with the demo key', async () => {
    const t = await startTestApp({ env: { SEED_DEMO: 'true' } });
    try {
      const server = t.app.getHttpServer();
      const seeded = t.app.get(DemoSeedService).seeded!;
      const s = await fpLogin(server, { username: seeded.username, key: seeded.key });
      const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
      expect(ids(await fpClient(server).get(`/api/v2/events/date?date=${today}`, s.token))).toEqual([1001]);
      expect(ids(await fpClient(server).get('/api/v2/events/latest?date=20000101', s.token))).toEqual([1001, 1002, 1003]);
    } finally {
      await t.close();
    }
  });
});
