import { type Server } from 'node:http';
import request from 'supertest';
import { PLANPOINT_ROUTES } from '../../src/protocols/planpoint/planpoint-routes.js';
import { freshIp, planpointAccount, planpointUser, pp, type PlanpointAccount } from '../factories/planpoint.factory.js';
import { ON_POSTGRES, startTestApp, type TestApp } from '../support/test-app.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * Issue 21, Planpoint: the order docs/planpoint.md gives (fields 400 before permission 403) on every write route;
 * unit models named by an id the unit does not have; HEAD; a batch that cannot be written whole; the store away.
 */
describe('Planpoint writes', () => {
  let t: TestApp;
  let server: Server;
  let owner: PlanpointAccount;
  let reader: { username: string; key: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    server = t.app.getHttpServer();
    owner = await planpointAccount(server);
    reader = await planpointUser(server, owner.slug, 'advisor');
    const api = pp(server, owner.key);
    ids.project = (await api.post('/api/projects', { name: 'Harbour View' }).expect(201)).body._id;
    ids.floor = (await api.post('/api/floors', { project: { _id: ids.project }, name: 'Level 1', level: 1 }).expect(201)).body._id;
    ids.unit = (await api.post('/api/units', { floor: ids.floor, name: '101', price: 100 }).expect(201)).body._id;
    ids.group = (await api.post('/api/groups', { name: 'Harbour group', hostName: 'harbour-group' }).expect(201)).body._id;
    ids.enterprise = (await api.post('/api/enterprises', { name: 'Harbour corp', hostName: 'harbour-corp' }).expect(201)).body._id;
  });
  afterAll(() => t.close());

  /** Every write route: a body a writer may send, and one that is wrong whoever sends it (undefined: no body). */
  const WRITES: { method: 'post' | 'patch' | 'delete'; route: string; path: () => string; good?: () => object; bad?: object }[] = [
    { method: 'post', route: '/api/projects', path: () => '/api/projects', good: () => ({ name: 'Another' }), bad: { name: 7 } },
    {
      method: 'patch',
      route: '/api/projects/{id}',
      path: () => `/api/projects/${ids.project}`,
      good: () => ({ description: 'x' }),
      bad: { published: 'yes' },
    },
    { method: 'delete', route: '/api/projects/{id}', path: () => `/api/projects/${ids.project}` },
    {
      method: 'post',
      route: '/api/floors',
      path: () => '/api/floors',
      good: () => ({ project: { _id: ids.project }, name: 'Level 2' }),
      bad: { name: 'no project' },
    },
    {
      method: 'patch',
      route: '/api/floors/{id}',
      path: () => `/api/floors/${ids.floor}`,
      good: () => ({ name: 'L1' }),
      bad: { level: 'high' },
    },
    { method: 'delete', route: '/api/floors/{id}', path: () => `/api/floors/${ids.floor}` },
    {
      method: 'post',
      route: '/api/units',
      path: () => '/api/units',
      good: () => ({ floor: ids.floor, name: '102' }),
      bad: { name: '102' },
    },
    {
      method: 'patch',
      route: '/api/units',
      path: () => '/api/units',
      good: () => ({ ids: [ids.unit], patchData: { status: 'Sold' } }),
      bad: { ids: 'all' },
    },
    {
      method: 'patch',
      route: '/api/units/{id}',
      path: () => `/api/units/${ids.unit}`,
      good: () => ({ status: 'Sold' }),
      bad: { price: 'lots' },
    },
    { method: 'delete', route: '/api/units/{id}', path: () => `/api/units/${ids.unit}` },
    {
      method: 'post',
      route: '/api/groups',
      path: () => '/api/groups',
      good: () => ({ name: 'Group two', hostName: 'group-two' }),
      bad: { name: 'x' },
    },
    {
      method: 'patch',
      route: '/api/groups/{id}',
      path: () => `/api/groups/${ids.group}`,
      good: () => ({ name: 'Group one' }),
      bad: { name: 5 },
    },
    { method: 'delete', route: '/api/groups/{id}', path: () => `/api/groups/${ids.group}` },
    {
      method: 'post',
      route: '/api/enterprises',
      path: () => '/api/enterprises',
      good: () => ({ name: 'Corp two', hostName: 'corp-two' }),
      bad: { name: 'x' },
    },
    {
      method: 'patch',
      route: '/api/enterprises/{id}',
      path: () => `/api/enterprises/${ids.enterprise}`,
      good: () => ({ name: 'Corp one' }),
      bad: { name: 5 },
    },
    { method: 'delete', route: '/api/enterprises/{id}', path: () => `/api/enterprises/${ids.enterprise}` },
  ];

  it('covers every write route of the route table', () => {
    const writes = PLANPOINT_ROUTES.flatMap((r) =>
      r.methods.filter((m) => m !== 'GET' && !(r.public ?? []).includes(m) && r.path !== '/api/users/login').map((m) => `${m} ${r.path}`),
    );
    expect(WRITES.map((w) => `${w.method.toUpperCase()} ${w.route}`).sort()).toEqual(writes.sort());
  });

  it.each(WRITES.filter((w) => w.bad).map((w) => [`${w.method.toUpperCase()} ${w.route}`, w] as const))(
    "%s: a bad body is 400 even with a reader's key (fields before permission)",
    async (_name, w) => {
      const res = await pp(server, reader.key)[w.method](w.path(), w.bad);
      expect([res.status, typeof res.body.message]).toEqual([400, 'string']);
    },
  );

  it.each(WRITES.map((w) => [`${w.method.toUpperCase()} ${w.route}`, w] as const))(
    "%s: a reader's key with a good body is 403 Insufficient permissions, and nothing changes",
    async (_name, w) => {
      const before = (await pp(server, owner.key).get(`/api/projects/${ids.project}`).expect(201)).body;
      const res = await (w.good ? pp(server, reader.key)[w.method](w.path(), w.good()) : pp(server, reader.key)[w.method](w.path()));
      expect([res.status, res.body.message]).toEqual([403, 'Insufficient permissions']);
      const after = (await pp(server, owner.key).get(`/api/projects/${ids.project}`).expect(201)).body;
      expect(after).toEqual(before);
    },
  );

  it('refuses a unit model named by an _id the unit does not have (400), keeping the models it had', async () => {
    const api = pp(server, owner.key);
    const withModel = await api.patch(`/api/units/${ids.unit}`, { unitmodels: [{ name: 'A', floorplan: 'https://example.com/a.png' }] });
    expect(withModel.status).toBe(200);
    const model = withModel.body.unitmodels[0] as { _id: string; name: string };
    const unknown = '6740a1f2c3d4e5f6a7b8c9ff';
    for (const unitmodels of [[{ _id: unknown, name: 'B' }], [unknown], [model._id, { _id: unknown }]]) {
      const res = await api.patch(`/api/units/${ids.unit}`, { unitmodels });
      expect([res.status, res.body.message]).toEqual([400, 'unitmodels names an unknown _id']);
    }
    // a model given with its own _id is updated in place
    const renamed = await api.patch(`/api/units/${ids.unit}`, { unitmodels: [{ _id: model._id, name: 'A2' }] });
    expect(renamed.body.unitmodels).toEqual([{ _id: model._id, name: 'A2', floorplan: 'https://example.com/a.png' }]);
    // a new unit has no models yet: an _id names none of them
    const created = await api.post('/api/units', { floor: ids.floor, name: '103', unitmodels: [{ _id: unknown, name: 'C' }] });
    expect([created.status, created.body.message]).toEqual([400, 'unitmodels names an unknown _id']);
  });

  it('answers HEAD like GET without a body', async () => {
    const get = await request(server)
      .get('/api/projects/mine')
      .set('Authorization', `Bearer ${owner.key}`)
      .set('X-Forwarded-For', freshIp());
    const head = await request(server)
      .head('/api/projects/mine')
      .set('Authorization', `Bearer ${owner.key}`)
      .set('X-Forwarded-For', freshIp());
    expect(head.status).toBe(get.status);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(head.text ?? '').toBe('');
  });

  it('writes a batch whole or not at all: one id it cannot write leaves the others unchanged', async () => {
    const api = pp(server, owner.key);
    const second = (await api.post('/api/units', { floor: ids.floor, name: '104', price: 200 }).expect(201)).body._id as string;
    const other = await planpointAccount(server);
    const otherProject = (await pp(server, other.key).post('/api/projects', { name: 'Elsewhere' }).expect(201)).body._id;
    const otherFloor = (
      await pp(server, other.key)
        .post('/api/floors', { project: { _id: otherProject }, name: 'F' })
        .expect(201)
    ).body._id;
    const foreign = (await pp(server, other.key).post('/api/units', { floor: otherFloor, name: 'X' }).expect(201)).body._id as string;
    // the foreign id last: the units before it would be written first by a loop that stops at the first refusal
    const res = await api.patch('/api/units', { ids: [second, foreign], patchData: { price: 999 } });
    expect(res.status).toBe(403);
    expect((await api.get(`/api/units/${second}`).expect(200)).body.price).toBe(200);
    expect((await pp(server, other.key).get(`/api/units/${foreign}`).expect(200)).body.price).not.toBe(999);
  });

  (ON_POSTGRES ? it : it.skip)(
    "answers 503 Service temporarily unavailable with Retry-After in Planpoint's format while the store is away",
    async () => {
      const { proxy, url } = await TcpProxy.inFrontOf(process.env.DATABASE_URL ?? '');
      const other = await startTestApp({ env: { DATABASE_URL: url, TRUST_PROXY: 'true' } });
      try {
        const otherServer = other.app.getHttpServer();
        const acct = await planpointAccount(otherServer);
        await pp(otherServer, acct.key).get('/api/projects/mine').expect(201);
        await proxy.cut();
        const res = await pp(otherServer, acct.key).get('/api/projects/mine');
        expect([res.status, res.headers['retry-after'], res.body]).toEqual([503, '5', { message: 'Service temporarily unavailable' }]);
        await proxy.restore();
      } finally {
        await other.close();
        await proxy.cut();
      }
    },
  );
});
