import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Media = {
  example?: unknown;
  examples?: unknown;
  schema?: { example?: unknown; $ref?: string; properties?: Record<string, { example?: unknown }> };
};
type Operation = {
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
};
interface OpenApi {
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, { properties?: Record<string, { example?: unknown }> }> };
}

/** Which protocol a path belongs to: its one tag and its security scheme have that name. */
function protocolOf(path: string): string {
  if (path.startsWith('/admin/')) return 'admin';
  if (path === '/health' || path.startsWith('/api/v1/')) return 'plansync';
  if (path.startsWith('/api/v2/')) return 'forward-planner';
  if (/^(\/v1)?\/api\/reverse-etl\//.test(path)) return 'reverse-etl';
  if (/^\/api\/(users|projects|groups|enterprises|floors|units|leads)(\/|$)/.test(path)) return 'planpoint';
  return 'unknown';
}

/** Routes that take no credential, and the public Planpoint routes where the owner's credential is optional. */
const OPEN = ['GET /health', 'POST /api/v2/auth', 'POST /api/v2/auth/renew', 'POST /api/users/login'];
const OPTIONAL = [
  'POST /api/projects/find',
  'POST /api/groups/find',
  'POST /api/enterprises/find',
  'POST /api/units/find',
  'POST /api/leads',
];

/**
 * The OpenAPI document behind /docs: every route of the five JSON surfaces under exactly its protocol's tag, with its
 * security scheme, its protocol's error format by example, and an example of every request body.
 */
describe('OpenAPI document (/openapi.json)', () => {
  let t: TestApp;
  let doc: OpenApi;
  let operations: { key: string; path: string; op: Operation }[];

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await request(t.app.getHttpServer()).get('/openapi.json').expect(200)).body as OpenApi;
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, op })),
    );
  });
  afterAll(() => t.close());

  const hasExample = (m: Media): boolean => {
    if (m.example !== undefined || m.examples !== undefined || m.schema?.example !== undefined) return true;
    const ref = m.schema?.$ref?.split('/').at(-1);
    const props = ref ? doc.components.schemas[ref]?.properties : m.schema?.properties;
    return Object.values(props ?? {}).some((p) => p.example !== undefined);
  };

  it('has one tag and one security scheme per protocol, and /health', () => {
    const protocols = ['admin', 'plansync', 'forward-planner', 'planpoint', 'reverse-etl'];
    expect(doc.tags.map((x) => x.name).sort()).toEqual([...protocols].sort());
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([...protocols].sort());
    expect(doc.paths['/health']?.get?.responses['200']).toBeDefined();
    expect(operations.length).toBeGreaterThan(100);
  });

  it('puts every route under exactly its protocol tag, with that protocol security scheme', () => {
    const wrong = operations.flatMap(({ key, path, op }) => {
      const protocol = protocolOf(path);
      const security = JSON.stringify(op.security ?? []);
      const expected = OPEN.includes(key)
        ? '[]'
        : OPTIONAL.includes(key)
          ? JSON.stringify([{ [protocol]: [] }, {}])
          : JSON.stringify([{ [protocol]: [] }]);
      const problems = [];
      if (JSON.stringify(op.tags) !== JSON.stringify([protocol])) problems.push(`tags ${JSON.stringify(op.tags)}`);
      if (security !== expected) problems.push(`security ${security}, expected ${expected}`);
      return problems.length ? [`${key}: ${problems.join('; ')}`] : [];
    });
    expect(wrong).toEqual([]);
  });

  it("shows every route's error format and every request body by example", () => {
    const missing = operations.flatMap(({ key, op }) => {
      const problems = [];
      const errors = Object.entries(op.responses).filter(([code, r]) => /^4/.test(code) && Object.values(r.content ?? {}).some(hasExample));
      if (key !== 'GET /health' && errors.length === 0) problems.push('no error response with an example');
      if (op.requestBody && !Object.values(op.requestBody.content).some(hasExample)) problems.push('request body without an example');
      return problems.length ? [`${key}: ${problems.join('; ')}`] : [];
    });
    expect(missing).toEqual([]);
  });
});
