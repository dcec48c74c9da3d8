import { type Server } from 'node:http';
import request from 'supertest';
import { planpointAccount, pp, type PlanpointAccount } from '../factories/planpoint.factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

jest.setTimeout(120_000);

/**
 * The contract of the official SDKs (the Java SDK's api/openapi.yaml, which the Go SDK is generated from): for each
 * operation the one success code a Go client decodes, and the fields each answer must carry. Written here in our own
 * words; operations the SDK lacks (enterprises, project create/delete, floor delete, unit find, lead create) follow
 * its pattern as docs/planpoint.md says (create and find 201, delete 200).
 */
type Shape =
  | 'AuthResponse'
  | 'Project'
  | 'ProjectSummary[]'
  | 'Group'
  | 'GroupsList'
  | 'FloorFull'
  | 'FloorFull[]'
  | 'UnitFull'
  | 'UnitFull[]'
  | 'UnitsList'
  | 'Lead'
  | 'Lead[]'
  | 'Message'
  | 'Enterprise'
  | 'EnterprisesList';

interface Operation {
  id: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  status: number;
  shape: Shape;
  /** From the SDK (true) or following its pattern (false). */
  sdk: boolean;
}

const OPERATIONS: Operation[] = [
  { id: 'login', method: 'post', path: '/api/users/login', status: 200, shape: 'AuthResponse', sdk: true },
  { id: 'findProject', method: 'post', path: '/api/projects/find', status: 201, shape: 'Project', sdk: true },
  { id: 'getMyProjects', method: 'get', path: '/api/projects/mine', status: 201, shape: 'ProjectSummary[]', sdk: true },
  { id: 'createProject', method: 'post', path: '/api/projects', status: 201, shape: 'Project', sdk: false },
  { id: 'getProject', method: 'get', path: '/api/projects/{project}', status: 201, shape: 'Project', sdk: true },
  { id: 'updateProject', method: 'patch', path: '/api/projects/{project}', status: 201, shape: 'Project', sdk: true },
  { id: 'getGroups', method: 'get', path: '/api/groups', status: 201, shape: 'GroupsList', sdk: true },
  { id: 'createGroup', method: 'post', path: '/api/groups', status: 201, shape: 'Group', sdk: true },
  { id: 'getGroup', method: 'get', path: '/api/groups/{group}', status: 201, shape: 'Group', sdk: true },
  { id: 'updateGroup', method: 'patch', path: '/api/groups/{group}', status: 201, shape: 'Group', sdk: true },
  { id: 'findGroup', method: 'post', path: '/api/groups/find', status: 201, shape: 'Group', sdk: false },
  { id: 'getEnterprises', method: 'get', path: '/api/enterprises', status: 201, shape: 'EnterprisesList', sdk: false },
  { id: 'createEnterprise', method: 'post', path: '/api/enterprises', status: 201, shape: 'Enterprise', sdk: false },
  { id: 'getEnterprise', method: 'get', path: '/api/enterprises/{enterprise}', status: 201, shape: 'Enterprise', sdk: false },
  { id: 'updateEnterprise', method: 'patch', path: '/api/enterprises/{enterprise}', status: 201, shape: 'Enterprise', sdk: false },
  { id: 'findEnterprise', method: 'post', path: '/api/enterprises/find', status: 201, shape: 'Enterprise', sdk: false },
  { id: 'getFloors', method: 'get', path: '/api/floors?pid={project}', status: 200, shape: 'FloorFull[]', sdk: true },
  { id: 'createFloor', method: 'post', path: '/api/floors', status: 201, shape: 'FloorFull', sdk: true },
  { id: 'getFloor', method: 'get', path: '/api/floors/{floor}', status: 200, shape: 'FloorFull', sdk: true },
  { id: 'updateFloor', method: 'patch', path: '/api/floors/{floor}', status: 200, shape: 'FloorFull', sdk: true },
  { id: 'getUnits', method: 'get', path: '/api/units?pid={project}', status: 201, shape: 'UnitsList', sdk: true },
  { id: 'createUnit', method: 'post', path: '/api/units', status: 201, shape: 'UnitFull', sdk: true },
  { id: 'batchUpdateUnits', method: 'patch', path: '/api/units', status: 201, shape: 'UnitFull[]', sdk: true },
  { id: 'findUnits', method: 'post', path: '/api/units/find', status: 201, shape: 'UnitsList', sdk: false },
  { id: 'getUnit', method: 'get', path: '/api/units/{unit}', status: 200, shape: 'UnitFull', sdk: true },
  { id: 'updateUnit', method: 'patch', path: '/api/units/{unit}', status: 200, shape: 'UnitFull', sdk: true },
  { id: 'createLead', method: 'post', path: '/api/leads', status: 201, shape: 'Lead', sdk: false },
  { id: 'getLeads', method: 'get', path: '/api/leads?pid={project}', status: 200, shape: 'Lead[]', sdk: true },
  { id: 'deleteUnit', method: 'delete', path: '/api/units/{unit}', status: 200, shape: 'Message', sdk: true },
  { id: 'deleteFloor', method: 'delete', path: '/api/floors/{floor}', status: 200, shape: 'Message', sdk: false },
  { id: 'deleteGroup', method: 'delete', path: '/api/groups/{group}', status: 200, shape: 'Message', sdk: false },
  { id: 'deleteEnterprise', method: 'delete', path: '/api/enterprises/{enterprise}', status: 200, shape: 'Message', sdk: false },
  { id: 'deleteProject', method: 'delete', path: '/api/projects/{project}', status: 200, shape: 'Message', sdk: false },
];

const ID = /^[0-9a-f]{24}$/;
const UNIT_STATUSES = ['Available', 'OnHold', 'Sold', 'Leased', 'Unavailable'];
type Json = Record<string, any>;

/** Required fields and the JSON types the Go structs decode (a mismatch fails the whole call). */
function checkUnit(u: Json): void {
  expect(u._id).toMatch(ID);
  expect(u.floor).toMatch(ID); // a string, never an object
  expect(UNIT_STATUSES).toContain(u.status);
  for (const k of ['price', 'bed', 'bath', 'sqft', 'parking']) expect(u[k] === null || typeof u[k] === 'number').toBe(true);
  for (const m of u.unitmodels) expect(typeof m).toBe('object'); // objects, never ids
}
function checkFloor(f: Json, full: boolean): void {
  expect(f._id).toMatch(ID);
  if (full) expect(f.project).toMatch(ID);
  expect(f.level === null || typeof f.level === 'number').toBe(true);
  if (!full) f.units.forEach(checkUnit);
}
function checkGroupProject(p: Json): void {
  expect(p._id).toMatch(ID);
  expect(typeof p.name).toBe('string');
  expect(typeof p.paused).toBe('boolean');
}
function checkGroup(g: Json): void {
  expect(g._id).toMatch(ID);
  expect(g.user).toMatch(ID);
  for (const k of ['isOwner', 'isAdmin', 'isEditor']) expect(typeof g[k]).toBe('boolean');
  g.projects.forEach(checkGroupProject);
}
const CHECKS: Record<Shape, (body: any) => void> = {
  AuthResponse: (b) => {
    expect(typeof b.message).toBe('string');
    expect(typeof b.access_token).toBe('string');
  },
  Project: (b) => {
    expect(b._id).toMatch(ID);
    for (const k of ['name', 'namespace', 'hostName']) expect(typeof b[k]).toBe('string');
    b.floors.forEach((f: Json) => checkFloor(f, false));
    b.commercialSpaces.forEach((c: Json) => {
      expect(c._id).toMatch(ID);
      expect(UNIT_STATUSES).toContain(c.status);
    });
    b.collections.forEach((c: Json) => expect(c._id).toMatch(ID));
    for (const k of ['showPrices', 'showAvailability', 'showBathrooms', 'showParking', 'showOrientation', 'hideSold', 'sharePageEnabled'])
      expect(typeof b[k]).toBe('boolean');
  },
  'ProjectSummary[]': (b) => {
    expect(Array.isArray(b)).toBe(true);
    for (const p of b) {
      expect(p._id).toMatch(ID);
      expect(typeof p.name).toBe('string');
      expect(p.paused === false || (typeof p.paused === 'object' && p.paused.value === true)).toBe(true);
    }
  },
  Group: checkGroup,
  GroupsList: (b) => {
    expect(typeof b.count).toBe('number');
    b.records.forEach(checkGroup);
  },
  Enterprise: (b) => {
    expect(b._id).toMatch(ID);
    expect(b.user).toMatch(ID);
    b.groups.forEach(checkGroup);
    b.projects.forEach(checkGroupProject);
  },
  EnterprisesList: (b) => {
    expect(typeof b.count).toBe('number');
    expect(Array.isArray(b.records)).toBe(true);
  },
  FloorFull: (b) => checkFloor(b, true),
  'FloorFull[]': (b) => b.forEach((f: Json) => checkFloor(f, true)),
  UnitFull: checkUnit,
  'UnitFull[]': (b) => b.forEach(checkUnit),
  UnitsList: (b) => {
    expect(typeof b.count).toBe('number');
    expect(b.count).toBe(b.records.length);
    b.records.forEach(checkUnit);
  },
  Lead: (b) => {
    expect(b._id).toMatch(ID);
    expect(typeof b.email).toBe('string');
  },
  'Lead[]': (b) => b.forEach((l: Json) => expect(l._id).toMatch(ID)),
  Message: (b) => expect(typeof b.message).toBe('string'),
};

describe('Planpoint contract: every operation answers the SDK status and required fields', () => {
  let t: TestApp;
  let server: Server;
  let a: PlanpointAccount;
  const ids: Record<string, string> = {};
  const answered = new Set<string>();

  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    server = t.app.getHttpServer();
    a = await planpointAccount(server);
  });
  afterAll(() => t.close());

  function body(op: Operation): unknown {
    switch (op.id) {
      case 'login':
        return { username: a.email, password: a.password };
      case 'findProject':
        return { namespace: a.slug, hostName: ids.hostName };
      case 'createProject':
        return { name: 'Contract Tower', commercialSpaces: [{ name: 'Shop', status: 'Reserved', price: '1200' }] };
      case 'updateProject':
        return { hideSold: true, collections: [{ name: 'Penthouses', units: [ids.unit] }] };
      case 'createGroup':
        return { name: 'Contract Group', projects: [ids.project] };
      case 'updateGroup':
        return { propertyType: 'Condo' };
      case 'findGroup':
        return { namespace: a.slug, hostName: ids.groupHost };
      case 'createEnterprise':
        return { name: 'Contract Enterprise', groups: [ids.group], projects: [ids.project] };
      case 'updateEnterprise':
        return { enterpriseImageUrl: 'https://example.com/e.png' };
      case 'findEnterprise':
        return { namespace: a.slug, hostName: ids.enterpriseHost };
      case 'createFloor':
        return { project: { _id: ids.project }, name: 'Level 1', level: 1 };
      case 'updateFloor':
        return { name: 'Level One' };
      case 'createUnit':
        return {
          floor: { _id: ids.floor },
          unitNumber: '101',
          status: 'OnHold',
          bed: 2,
          price: 350000,
          unitmodels: [{ name: 'A', floorplan: 'https://example.com/a.png' }],
        };
      case 'batchUpdateUnits':
        return { ids: [ids.unit], patchData: { availability: 'Sold' } };
      case 'findUnits':
        return { namespace: a.slug, hostName: ids.hostName, status: 'Sold' };
      case 'updateUnit':
        return { price: '360000' };
      case 'createLead':
        return { project: ids.project, name: 'Jane', email: 'jane@example.com', unit: ids.unit };
      default:
        return undefined;
    }
  }

  // Run so that each operation finds what it names: creations first, deletions last.
  const ORDER = [
    'login',
    'createProject',
    'findProject',
    'getMyProjects',
    'getProject',
    'createFloor',
    'getFloors',
    'getFloor',
    'updateFloor',
    'createUnit',
    'updateProject',
    'getUnits',
    'getUnit',
    'updateUnit',
    'batchUpdateUnits',
    'findUnits',
    'createGroup',
    'getGroups',
    'getGroup',
    'updateGroup',
    'findGroup',
    'createEnterprise',
    'getEnterprises',
    'getEnterprise',
    'updateEnterprise',
    'findEnterprise',
    'createLead',
    'getLeads',
    'deleteUnit',
    'deleteFloor',
    'deleteGroup',
    'deleteEnterprise',
    'deleteProject',
  ];
  const run = ORDER.map((id) => OPERATIONS.find((o) => o.id === id)!);

  it('orders every operation of the table once', () => {
    expect([...ORDER].sort()).toEqual(OPERATIONS.map((o) => o.id).sort());
  });

  it.each(run.map((op) => [op.id, op] as const))('%s', async (_id, op) => {
    const path = op.path.replace(/\{(\w+)\}/g, (_m, k: string) => ids[k]);
    const client = pp(server, op.id === 'login' || op.id.startsWith('find') || op.id === 'createLead' ? undefined : a.key);
    const res = op.method === 'get' || op.method === 'delete' ? await client[op.method](path) : await client[op.method](path, body(op));
    expect({ op: op.id, status: res.status, body: res.status === op.status ? 'ok' : res.body }).toEqual({
      op: op.id,
      status: op.status,
      body: 'ok',
    });
    expect(res.headers['content-type']).toMatch(/^application\/json; charset=utf-8/);
    CHECKS[op.shape](res.body);
    answered.add(op.id);
    if (op.id === 'createProject') Object.assign(ids, { project: res.body._id, hostName: res.body.hostName });
    if (op.id === 'createGroup') Object.assign(ids, { group: res.body._id, groupHost: res.body.hostName });
    if (op.id === 'createEnterprise') Object.assign(ids, { enterprise: res.body._id, enterpriseHost: res.body.hostName });
    if (op.id === 'createFloor') ids.floor = res.body._id;
    if (op.id === 'createUnit') ids.unit = res.body._id;
  });

  it('errors are {message} JSON with the documented statuses', async () => {
    for (const [res, status] of [
      [await pp(server).get('/api/projects/mine'), 401],
      [await pp(server, a.key).get('/api/projects/0123456789abcdef01234567'), 404],
      [await pp(server, a.key).get('/api/projects/zz'), 400],
      [await request(server).delete('/api/projects/find'), 405],
    ] as const) {
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json; charset=utf-8/);
      expect(typeof res.body.message).toBe('string');
    }
  });

  it('covered every operation of the table', () => {
    expect([...answered].sort()).toEqual(OPERATIONS.map((o) => o.id).sort());
  });
});
