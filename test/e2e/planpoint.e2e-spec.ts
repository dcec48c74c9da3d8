import { type Server } from 'node:http';
import request from 'supertest';
import { admin } from '../factories/admin.factory.js';
import { freshIp, planpointAccount, planpointUser, pp, type PlanpointAccount } from '../factories/planpoint.factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

jest.setTimeout(120_000);

const HEX24 = /^[0-9a-f]{24}$/;

function expectMessage(res: request.Response, status: number, message?: string | RegExp): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json; charset=utf-8/);
  expect(typeof res.body.message).toBe('string');
  if (typeof message === 'string') expect(res.body.message).toBe(message);
  else if (message) expect(res.body.message).toMatch(message);
}

describe('Planpoint API', () => {
  let t: TestApp;
  let server: Server;
  let a: PlanpointAccount;
  let b: PlanpointAccount;

  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    server = t.app.getHttpServer();
    a = await planpointAccount(server);
    b = await planpointAccount(server);
  });
  afterAll(() => t.close());

  async function project(acct: PlanpointAccount, body: Record<string, unknown> = { name: 'Harbour View' }) {
    const res = await pp(server, acct.key).post('/api/projects', body);
    expect(res.status).toBe(201);
    return res.body as Record<string, any>;
  }
  async function floor(acct: PlanpointAccount, projectId: string, name = 'Level 1') {
    const res = await pp(server, acct.key).post('/api/floors', { project: { _id: projectId }, name, level: 1 });
    expect(res.status).toBe(201);
    return res.body as Record<string, any>;
  }
  async function unit(acct: PlanpointAccount, floorId: string, body: Record<string, unknown> = {}) {
    const res = await pp(server, acct.key).post('/api/units', { floor: floorId, ...body });
    expect(res.status).toBe(201);
    return res.body as Record<string, any>;
  }

  describe('authentication (docs/planpoint.md, checklist 1, 2, 13)', () => {
    it('logs in by e-mail and by username with exactly message and access_token, HS256, one hour', async () => {
      for (const username of [a.email.toUpperCase(), a.username]) {
        const res = await pp(server).post('/api/users/login', { username, password: a.password });
        expect(res.status).toBe(200);
        expect(Object.keys(res.body).sort()).toEqual(['access_token', 'message']);
        expect(res.body.message).toBe('Login successful');
        expect(res.headers['cache-control']).toBe('no-store');
        const [header, payload] = (res.body.access_token as string)
          .split('.')
          .slice(0, 2)
          .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
        expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
        expect(payload.exp - payload.iat).toBe(3600);
        expect(payload.aud).toBe('plangate:planpoint');
      }
    });

    it('refuses a wrong password and an API key as password (401), and missing fields (400)', async () => {
      expectMessage(
        await pp(server).post('/api/users/login', { username: a.username, password: 'wrong password!' }),
        401,
        'Invalid username or password',
      );
      expectMessage(
        await pp(server).post('/api/users/login', { username: a.username, password: a.key }),
        401,
        'Invalid username or password',
      );
      expectMessage(await pp(server).post('/api/users/login', { username: a.username }), 400, 'username and password are required');
      expectMessage(await pp(server).post('/api/users/login', { username: 5, password: 'x' }), 400, 'username and password are required');
    });

    it('opens mine with the JWT, Bearer key and raw key (201); none or a bad token is 401', async () => {
      const jwt = (await pp(server).post('/api/users/login', { username: a.username, password: a.password })).body.access_token as string;
      for (const [token, raw] of [
        [jwt, false],
        [a.key, false],
        [a.key, true],
        [jwt, true],
      ] as const) {
        const res = await pp(server, token, { raw }).get('/api/projects/mine');
        expect(res.status).toBe(201);
        expect(Array.isArray(res.body)).toBe(true);
      }
      const none = await pp(server).get('/api/projects/mine');
      expectMessage(none, 401, 'Missing access token');
      expect(none.headers['www-authenticate']).toBe('Bearer');
      const bad = await pp(server, 'nope').get('/api/projects/mine');
      expectMessage(bad, 401, 'Invalid or expired token');
      expect(bad.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expectMessage(await pp(server, `Basic ${a.key}`, { raw: true }).get('/api/projects/mine'), 401, 'Invalid or expired token');
    });

    it('refuses an alg none token and a token after a password change', async () => {
      const jwt = (await pp(server).post('/api/users/login', { username: a.username, password: a.password })).body.access_token as string;
      const [, payload] = jwt.split('.');
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      expectMessage(await pp(server, none).get('/api/projects/mine'), 401, 'Invalid or expired token');
      const c = await planpointAccount(server);
      const cJwt = (await pp(server).post('/api/users/login', { username: c.username, password: c.password })).body.access_token as string;
      expect((await pp(server, cJwt).get('/api/projects/mine')).status).toBe(201);
      await new Promise((r) => setTimeout(r, 1100));
      await admin(server).patch(`/admin/accounts/${c.slug}/users/${c.username}`, { password: 'a brand new password' }).expect(200);
      expectMessage(await pp(server, cJwt).get('/api/projects/mine'), 401, 'Invalid or expired token');
    });

    it('lets an advisor read (201) but not write (403)', async () => {
      const advisor = await planpointUser(server, a.slug, 'advisor');
      expect((await pp(server, advisor.key).get('/api/projects/mine')).status).toBe(201);
      expectMessage(await pp(server, advisor.key).post('/api/projects', { name: 'Nope' }), 403, 'Insufficient permissions');
    });

    it('answers 429 to an IP after 300 failed authentications, without a valid credential only', async () => {
      const ip = freshIp();
      const results = await Promise.all(Array.from({ length: 300 }, () => pp(server, 'psk_nope', { ip }).get('/api/projects/mine')));
      expect(results.every((r) => r.status === 401)).toBe(true);
      const blocked = await pp(server, 'psk_nope', { ip }).get('/api/projects/mine');
      expectMessage(blocked, 429, 'Too many requests, retry later');
      expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
    });

    it('refuses every credential of a disabled account and hides its projects from finds', async () => {
      const c = await planpointAccount(server);
      const p = await project(c, { name: 'Disabled' });
      await admin(server).patch(`/admin/accounts/${c.slug}`, { status: 'disabled' }).expect(200);
      expectMessage(await pp(server, c.key).get('/api/projects/mine'), 401, 'Invalid or expired token');
      expectMessage(await pp(server).post('/api/projects/find', { namespace: c.slug, hostName: p.hostName }), 404, 'Project not found');
    });

    it('locks a username after 10 failed logins, even for the right password', async () => {
      const c = await planpointAccount(server);
      for (let i = 0; i < 10; i++)
        expect((await pp(server).post('/api/users/login', { username: c.username, password: 'wrong password!' })).status).toBe(401);
      const locked = await pp(server).post('/api/users/login', { username: c.username, password: c.password });
      expectMessage(locked, 429, 'Too many login attempts');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });
  });

  describe('projects, floors, units (checklist 3–7, 12, 18)', () => {
    it('creates a project with the defaults and finds it anonymously with floors and units nested', async () => {
      const p = await project(a);
      expect(p._id).toMatch(HEX24);
      expect(p).toMatchObject({
        name: 'Harbour View',
        namespace: a.slug,
        floors: [],
        showPrices: true,
        published: true,
        paused: false,
        status: 'ACTIVE',
      });
      expect(p.hostName).toMatch(/^harbour-view/);
      const f = await floor(a, p._id);
      expect(f).toMatchObject({ project: p._id, name: 'Level 1', level: 1, position: 0 });
      await unit(a, f._id, { unitNumber: '101', status: 'OnHold', bed: 2, price: 350000 });
      const stale = await pp(server, 'eyJhbGciOiJIUzI1NiJ9.e30.bad').post('/api/projects/find', {
        namespace: a.slug,
        hostName: p.hostName,
      });
      expect(stale.status).toBe(201);
      expect(stale.headers['content-type']).toMatch(/^application\/json/);
      expect(stale.headers['access-control-allow-origin']).toBe('*');
      expect(stale.headers['x-ratelimit-limit']).toBe('300');
      expect(stale.body.floors[0].units[0]).toMatchObject({
        name: '101',
        unitNumber: '101',
        status: 'OnHold',
        availability: 'On Hold',
        bed: 2,
        bedrooms: '2',
        price: 350000,
      });
      expect(stale.body.commercialSpaces).toEqual([]);
      expect(stale.body.collections).toEqual([]);
    });

    it('floors: list 200, get 200, PATCH 200', async () => {
      const p = await project(a, { name: 'Floors Test' });
      const f = await floor(a, p._id);
      const list = await pp(server, a.key).get(`/api/floors?pid=${p._id}`);
      expect(list.status).toBe(200);
      expect(list.body.map((x: { _id: string }) => x._id)).toEqual([f._id]);
      expect((await pp(server, a.key).get(`/api/floors/${f._id.toUpperCase()}`)).status).toBe(200);
      const patched = await pp(server, a.key).patch(`/api/floors/${f._id}`, { name: 'Ground', level: -1, _id: 'ignored', createdAt: 'x' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ name: 'Ground', level: -1 });
    });

    it('units in SDK words and legacy words, read in both; holds and disagreements', async () => {
      const p = await project(a, { name: 'Units Test' });
      const f = await floor(a, p._id);
      const sdk = await unit(a, f._id, { unitNumber: 'A1', status: 'OnHold', bed: 2, bath: 1, sqft: 800 });
      expect(sdk).toMatchObject({
        name: 'A1',
        status: 'OnHold',
        availability: 'On Hold',
        bed: 2,
        bedrooms: '2',
        bath: 1,
        bathrooms: 1,
        squareFeet: 800,
      });
      const legacy = await unit(a, f._id, {
        name: 'A2',
        availability: 'Reserved',
        bedrooms: 'Studio',
        squareFeet: '450',
        isFeatured: true,
      });
      expect(legacy).toMatchObject({
        unitNumber: 'A2',
        status: 'OnHold',
        availability: 'Reserved',
        bed: 0,
        bedrooms: 'Studio',
        sqft: 450,
        isFeatured: true,
      });
      const expired = await unit(a, f._id, { availability: 'On Hold', onHoldExpiresAt: '2020-01-01T00:00:00Z' });
      expect(expired).toMatchObject({ status: 'Available', availability: 'Available' });
      expectMessage(await pp(server, a.key).post('/api/units', { floor: f._id, bed: 2, bedrooms: '3' }), 400, 'bed and bedrooms disagree');
      const list = await pp(server, a.key).get(`/api/units?pid=${p._id}`);
      expect(list.status).toBe(201);
      expect(list.body.count).toBe(3);
      expect(list.body.records).toHaveLength(3);
      const got = await pp(server, a.key).get(`/api/units/${sdk._id}`);
      expect(got.status).toBe(200);
      const patched = await pp(server, a.key).patch(`/api/units/${sdk._id}`, { status: 'Sold', project: 'ignored' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ status: 'Sold', availability: 'Sold' });
      const del = await pp(server, a.key).delete(`/api/units/${sdk._id}`);
      expect(del.status).toBe(200);
      expect(del.body).toEqual({ message: 'Unit deleted' });
      expectMessage(await pp(server, a.key).get(`/api/units/${sdk._id}`), 404, 'Unit not found');
      expectMessage(await pp(server, a.key).delete(`/api/units/${sdk._id}`), 404, 'Unit not found');
    });

    it('batch: own ids → 201 in ids order; one foreign id → 403 and nothing changes', async () => {
      const p = await project(a, { name: 'Batch' });
      const f = await floor(a, p._id);
      const u1 = await unit(a, f._id, { name: '1' });
      const u2 = await unit(a, f._id, { name: '2' });
      const ok = await pp(server, a.key).patch('/api/units', { ids: [u2._id, u1._id, u2._id], patchData: { status: 'Sold' } });
      expect(ok.status).toBe(201);
      expect(ok.body.map((u: { _id: string }) => u._id)).toEqual([u2._id, u1._id]);
      const bp = await project(b, { name: 'Other' });
      const bf = await floor(b, bp._id);
      const bu = await unit(b, bf._id, { name: 'b' });
      expectMessage(
        await pp(server, a.key).patch('/api/units', { ids: [u1._id, bu._id], patchData: { status: 'Leased' } }),
        403,
        'Forbidden: some units are not accessible',
      );
      expect((await pp(server, a.key).get(`/api/units/${u1._id}`)).body.status).toBe('Sold');
      expect((await pp(server, b.key).get(`/api/units/${bu._id}`)).body.status).toBe('Available');
      for (const body of [
        { ids: [], patchData: {} },
        { ids: 'x', patchData: {} },
        { ids: [u1._id] },
        { ids: Array(1001).fill(u1._id), patchData: {} },
      ]) {
        expectMessage(await pp(server, a.key).patch('/api/units', body), 400);
      }
    });

    it("another account's ids answer 404 like unknown ones, and change nothing", async () => {
      const p = await project(a, { name: 'Private' });
      const f = await floor(a, p._id);
      const u = await unit(a, f._id, { name: 'x' });
      expectMessage(await pp(server, b.key).get(`/api/projects/${p._id}`), 404, 'Project not found');
      expectMessage(await pp(server, b.key).get('/api/projects/0123456789abcdef01234567'), 404, 'Project not found');
      expectMessage(await pp(server, b.key).patch(`/api/projects/${p._id}`, { name: 'Stolen' }), 404, 'Project not found');
      expectMessage(await pp(server, b.key).delete(`/api/units/${u._id}`), 404, 'Unit not found');
      expectMessage(await pp(server, b.key).post('/api/floors', { project: p._id, name: 'x' }), 404, 'Project not found');
      expectMessage(await pp(server, b.key).post('/api/units', { floor: f._id }), 404, 'Floor not found');
      expect((await pp(server, a.key).get(`/api/projects/${p._id}`)).body.name).toBe('Private');
      const mine = await pp(server, b.key).get('/api/projects/mine');
      expect(mine.body.map((x: { _id: string }) => x._id)).not.toContain(p._id);
    });

    it('deletes a project (200, then 404 twice); a project with a Planfix task → 409', async () => {
      const p = await project(a, { name: 'Doomed' });
      expect((await pp(server, a.key).delete(`/api/projects/${p._id}`)).body).toEqual({ message: 'Project deleted' });
      expectMessage(await pp(server, a.key).get(`/api/projects/${p._id}`), 404);
      expectMessage(await pp(server, a.key).delete(`/api/projects/${p._id}`), 404);
    });
  });

  describe('public finds (checklist 8, 16, 17)', () => {
    it('400 without hostName, 404 unknown, unpublished 404 anonymously and for B, 201 for the owner; paused 403', async () => {
      const p = await project(a, { name: 'Secret', published: false });
      expectMessage(await pp(server).post('/api/projects/find', { namespace: a.slug }), 400, 'namespace and hostName are required');
      expectMessage(await pp(server).post('/api/projects/find', { namespace: a.slug, hostName: 'nope' }), 404, 'Project not found');
      expectMessage(await pp(server).post('/api/projects/find', { namespace: a.slug, hostName: p.hostName }), 404, 'Project not found');
      expectMessage(await pp(server, b.key).post('/api/projects/find', { namespace: a.slug, hostName: p.hostName }), 404);
      const jwt = (await pp(server).post('/api/users/login', { username: a.username, password: a.password })).body.access_token as string;
      expect(
        (await pp(server, jwt).post('/api/projects/find', { namespace: a.slug, hostName: ` ${p.hostName.toUpperCase()} ` })).status,
      ).toBe(201);
      await admin(server)
        .patch(`/admin/accounts/${a.slug}/planpoint/projects/${p._id}`, { paused: { value: true, reason: 'billing' } })
        .expect(200);
      const paused = await pp(server, a.key).post('/api/projects/find', { namespace: a.slug, hostName: p.hostName });
      expectMessage(paused, 403, 'Project is paused');
      expect(paused.body.paused).toEqual({ value: true, reason: 'billing' });
      await admin(server).patch(`/admin/accounts/${a.slug}/planpoint/projects/${p._id}`, { paused: false }).expect(200);
      expect((await pp(server, a.key).post('/api/projects/find', { namespace: a.slug, hostName: p.hostName })).status).toBe(201);
    });

    it('leads: public POST 201, list 200, another account 404', async () => {
      const p = await project(a, { name: 'Leads' });
      const lead = await pp(server).post('/api/leads', {
        namespace: a.slug,
        hostName: p.hostName,
        name: 'Jane',
        email: 'jane@example.com',
      });
      expect(lead.status).toBe(201);
      expect(lead.body).toMatchObject({ name: 'Jane', email: 'jane@example.com', unit: null, project: p._id });
      const list = await pp(server, a.key).get(`/api/leads?pid=${p._id}`);
      expect(list.status).toBe(200);
      expect(list.body).toHaveLength(1);
      expectMessage(await pp(server, b.key).get(`/api/leads?pid=${p._id}`), 404);
      expectMessage(await pp(server, a.key).get('/api/leads?pid='), 400, 'pid is required');
    });

    it('330 parallel anonymous finds from one IP: at most 300 admitted, the rest 429; a credential still 201', async () => {
      const p = await project(a, { name: 'Popular' });
      const ip = freshIp();
      const results = await Promise.all(
        Array.from({ length: 330 }, () =>
          pp(server, undefined, { ip }).post('/api/projects/find', { namespace: a.slug, hostName: p.hostName }),
        ),
      );
      const admitted = results.filter((r) => r.status === 201).length;
      const limited = results.filter((r) => r.status === 429);
      expect(admitted).toBeLessThanOrEqual(300);
      expect(admitted + limited.length).toBe(330);
      expect(limited.length).toBeGreaterThanOrEqual(30);
      for (const r of limited) expect(r.headers['retry-after']).toMatch(/^\d+$/);
      expect((await pp(server, a.key, { ip }).post('/api/projects/find', { namespace: a.slug, hostName: p.hostName })).status).toBe(201);
    });
  });

  describe('groups and enterprises (checklist 9, 10)', () => {
    it('create, list, get, PATCH (hostName kept), public find with only published projects', async () => {
      const pub = await project(a, { name: 'Pub' });
      const hidden = await project(a, { name: 'Hidden', published: false });
      const g = await pp(server, a.key).post('/api/groups', { name: 'Downtown', projects: [pub._id, { _id: hidden._id }] });
      expect(g.status).toBe(201);
      expect(g.body).toMatchObject({ name: 'Downtown', namespace: a.slug, isOwner: true, isAdmin: true, isEditor: true });
      expect(g.body.projects).toHaveLength(2);
      expect(g.body.projects[0].paused).toBe(false);
      const list = await pp(server, a.key).get('/api/groups');
      expect(list.status).toBe(201);
      expect(list.body.count).toBe(list.body.records.length);
      expect((await pp(server, a.key).get(`/api/groups/${g.body._id}`)).status).toBe(201);
      const patched = await pp(server, a.key).patch(`/api/groups/${g.body._id}`, { name: 'Downtown Renamed' });
      expect(patched.status).toBe(201);
      expect(patched.body.hostName).toBe(g.body.hostName);
      const anon = await pp(server).post('/api/groups/find', { namespace: a.slug, hostName: g.body.hostName });
      expect(anon.status).toBe(201);
      expect(anon.body.projects.map((x: { _id: string }) => x._id)).toEqual([pub._id]);
      expect(anon.body).toMatchObject({ isOwner: false, isAdmin: false, isEditor: false });
      const owner = await pp(server, a.key).post('/api/groups/find', { namespace: a.slug, hostName: g.body.hostName });
      expect(owner.body.projects).toHaveLength(2);
      expectMessage(await pp(server, a.key).post('/api/groups', { name: 'ab' }), 400);
      expectMessage(
        await pp(server, a.key).post('/api/groups', { name: 'Foreign', projects: [(await project(b))._id] }),
        404,
        'Project not found',
      );

      const e = await pp(server, a.key).post('/api/enterprises', { name: 'Acme Enterprise', groups: [g.body._id], projects: [pub._id] });
      expect(e.status).toBe(201);
      const found = await pp(server).post('/api/enterprises/find', { namespace: a.slug, hostName: e.body.hostName });
      expect(found.status).toBe(201);
      expect(found.body.groups.map((x: { _id: string }) => x._id)).toEqual([g.body._id]);
      expect((await pp(server, a.key).delete(`/api/groups/${g.body._id}`)).body).toEqual({ message: 'Group deleted' });
      expect((await pp(server, a.key).get(`/api/enterprises/${e.body._id}`)).body.groups).toEqual([]);
    });
  });

  describe('bad input (docs/planpoint.md, checklist 15)', () => {
    it.each([
      ['{"name":', 'Invalid JSON body'],
      ['[1]', 'Invalid JSON body'],
      ['"x"', 'Invalid JSON body'],
      ['['.repeat(40) + ']'.repeat(40), 'Invalid JSON body'],
      [`{"a":${'{"a":'.repeat(39)}1${'}'.repeat(40)}`, 'Invalid JSON body'],
    ])('%s → 400', async (body, message) => {
      const res = await request(server)
        .post('/api/projects')
        .set('Authorization', `Bearer ${a.key}`)
        .set('X-Forwarded-For', freshIp())
        .type('text/plain')
        .send(body);
      expectMessage(res, 400, message);
    });

    it('a 2 MiB body → 413', async () => {
      const res = await pp(server, a.key).post('/api/projects', { name: 'x', big: 'y'.repeat(2 * 1024 * 1024) });
      expectMessage(res, 413, 'Request body too large');
    });

    it('bad ids and pid → 400', async () => {
      expectMessage(await pp(server, a.key).get('/api/units/xyz'), 400, 'Invalid id');
      expectMessage(await pp(server, a.key).get(`/api/units/${'a'.repeat(23)}`), 400, 'Invalid id');
      expectMessage(await pp(server, a.key).get('/api/units?pid='), 400, 'pid is required');
    });

    it.each([
      [{ name: '' }],
      [{ name: 'x'.repeat(256) }],
      [{ name: 5 }],
      [{ name: 'ok', showPrices: 'yes' }],
      [{ name: 'ok', customButtonTxt: 'Book' }],
      [{ name: 'ok', customButtonTxt: { it: 'x' } }],
      [JSON.parse('{"name":"ok","__proto__":{"x":1}}')],
      [{ name: 'ok', $set: 1 }],
      [{ name: 'ok', 'a.b': 1 }],
      [{ name: 'ok', hostName: 'My Site!' }],
    ])('project body %j → 400', async (body) => {
      expectMessage(await pp(server, a.key).post('/api/projects', body), 400);
    });

    it('a taken hostName → 409', async () => {
      await project(a, { name: 'Taken', hostName: 'taken-host' });
      expectMessage(
        await pp(server, a.key).post('/api/projects', { name: 'Again', hostName: 'taken-host' }),
        409,
        'hostName already in use',
      );
    });

    it.each([[{ bed: -1 }], [{ bed: 'two' }], [{ status: 'Booked' }], [{ onHoldExpiresAt: 'tomorrow' }], [{ bed: 2, bedrooms: '3' }]])(
      'unit body %j → 400',
      async (body) => {
        const p = await project(a, { name: 'Bad units' });
        const f = await floor(a, p._id);
        expectMessage(await pp(server, a.key).post('/api/units', { floor: f._id, ...body }), 400);
      },
    );

    it('a collection naming a unit of another project → 400', async () => {
      const p1 = await project(a, { name: 'C1' });
      const p2 = await project(a, { name: 'C2' });
      const u = await unit(a, (await floor(a, p2._id))._id);
      expectMessage(await pp(server, a.key).patch(`/api/projects/${p1._id}`, { collections: [{ name: 'c', units: [u._id] }] }), 400);
      const ok = await pp(server, a.key).patch(`/api/projects/${p2._id}`, {
        collections: [{ name: 'c', units: [u._id] }],
        commercialSpaces: [{ name: 'Shop', status: 'On Hold' }],
      });
      expect(ok.status).toBe(201);
      expect(ok.body.collections[0]).toMatchObject({ name: 'c', units: [u._id] });
      expect(ok.body.commercialSpaces[0]).toMatchObject({ name: 'Shop', status: 'OnHold' });
      const ids = await pp(server, a.key).patch(`/api/projects/${p2._id}`, { collections: [ok.body.collections[0]._id] });
      expect(ids.body.collections).toEqual(ok.body.collections);
    });

    it('wrong methods → 405 with Allow; unknown paths → 404 Not found; OPTIONS → 204', async () => {
      const del = await pp(server, a.key).delete('/api/projects/find');
      expectMessage(del, 405, 'Method not allowed');
      expect(del.headers.allow).toContain('POST');
      expectMessage(await pp(server, a.key).get('/api/projects/find'), 405);
      expectMessage(await pp(server, a.key).put(`/api/units/${'a'.repeat(24)}`, {}), 405);
      expectMessage(await pp(server, a.key).get(`/api/projects/${'a'.repeat(24)}/frobnicate`), 404, 'Not found');
      expectMessage(await pp(server, a.key).get('/api/groups/x/y'), 404, 'Not found');
      const options = await request(server).options('/api/projects/find');
      expect(options.status).toBe(204);
      expect(options.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    });
  });

  describe('Admin API additions (docs/planpoint.md, checklist 19)', () => {
    it('a namespace set through the Admin API finds the project; the old one 404; another account’s → 409', async () => {
      const c = await planpointAccount(server);
      const p = await project(c, { name: 'Namespaced' });
      const ns = `ns-${c.slug}`;
      await admin(server)
        .patch(`/admin/accounts/${c.slug}`, { settings: { planpoint: { namespace: ns } } })
        .expect(200);
      expect((await pp(server).post('/api/projects/find', { namespace: ns, hostName: p.hostName })).status).toBe(201);
      expectMessage(await pp(server).post('/api/projects/find', { namespace: c.slug, hostName: p.hostName }), 404);
      await admin(server)
        .patch(`/admin/accounts/${b.slug}`, { settings: { planpoint: { namespace: ns } } })
        .expect(409);
      await admin(server).post('/admin/accounts', { slug: ns, name: 'Clash' }).expect(409);
      await admin(server)
        .patch(`/admin/accounts/${c.slug}/planpoint/projects/${'0'.repeat(24)}`, { paused: false })
        .expect(404);
    });
  });
});
