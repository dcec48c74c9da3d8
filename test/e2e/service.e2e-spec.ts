import { type Server } from 'node:http';
import request from 'supertest';
import { startTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

describe('running service', () => {
  let t: TestApp;
  let server: Server;

  beforeAll(async () => {
    t = await startTestApp();
    server = t.app.getHttpServer();
  });
  afterAll(() => t.close());

  describe('GET /health', () => {
    it('answers 200 healthy in PlanSync shape with no credential, also with a trailing slash', async () => {
      for (const path of ['/health', '/health/']) {
        const res = await request(server).get(path).expect(200);
        expect(res.body).toEqual({
          status: 'healthy',
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/),
          version: '1.0.0',
        });
      }
    });

    it('ignores a credential that is sent anyway', async () => {
      await request(server).get('/health').set('X-API-Key', 'psk_garbage').expect(200);
    });
  });

  describe('X-Request-Id', () => {
    it('echoes a well-formed id and logs the request under it', async () => {
      const res = await request(server).get('/health').set('X-Request-Id', 'trace-abc.123').expect(200);
      expect(res.headers['x-request-id']).toBe('trace-abc.123');
      const line = t.logs.lines.map((l) => JSON.parse(l)).find((l) => l.req?.id === 'trace-abc.123');
      expect(line).toMatchObject({
        level: 30,
        req: { id: 'trace-abc.123', protocol: 'plansync', method: 'GET', url: '/health' },
        res: { statusCode: 200 },
      });
      expect(typeof line.responseTime).toBe('number');
    });

    it('replaces a malformed id with a generated one', async () => {
      const res = await request(server).get('/health').set('X-Request-Id', 'bad id <script>');
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('is on error answers too, including ones raised before routing', async () => {
      const notFound = await request(server).get('/no/such/route');
      expect(notFound.headers['x-request-id']).toBeDefined();
      const malformed = await request(server)
        .post('/admin/accounts')
        .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
        .set('Content-Type', 'application/json')
        .send('{oops');
      expect(malformed.status).toBe(400);
      expect(malformed.headers['x-request-id']).toBeDefined();
    });
  });

  describe('errors before routing', () => {
    it('answers an unknown route with a JSON 404, never an HTML page', async () => {
      const res = await request(server).get('/definitely/not/here');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
      expect(res.text).not.toMatch(/<html|at .*\.js/i);
    });

    it("answers a wrong method on a known path with 405 and Allow, in the owning protocol's format", async () => {
      const res = await request(server).delete('/health');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET');
      expect(res.body).toEqual({ detail: 'Method Not Allowed' });
    });
  });

  describe('GET /metrics', () => {
    it('is refused without the admin token', async () => {
      const res = await request(server).get('/metrics');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    });

    it('serves Prometheus text with requests by protocol, route and status', async () => {
      await request(server).get('/health').expect(200);
      const res = await request(server).get('/metrics').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/plangate_http_requests_total\{protocol="plansync",route="\/health",status="200"\} \d+/);
      expect(res.text).toContain('plangate_http_request_duration_seconds_bucket');
      expect(res.text).toMatch(/plangate_store_pool_connections\{state="total"\} \d+/);
    });
  });

  describe('docs', () => {
    it('serves the OpenAPI document with the Admin API under the tag admin', async () => {
      const res = await request(server).get('/openapi.json').expect(200);
      expect(res.body.openapi).toMatch(/^3\./);
      const paths = Object.keys(res.body.paths);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/admin/accounts',
          '/admin/accounts/{slug}',
          '/admin/accounts/{slug}/users',
          '/admin/accounts/{slug}/users/{username}',
          '/admin/accounts/{slug}/users/{username}/keys',
          '/admin/accounts/{slug}/users/{username}/keys/{name}',
          '/health',
        ]),
      );
      expect(res.body.paths['/admin/accounts'].post.tags).toEqual(['admin']);
      expect(res.body.components.securitySchemes.admin).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(res.body.components.schemas.CreateAccountDto.required).toEqual(expect.arrayContaining(['slug', 'name']));
    });

    it('serves Swagger UI at /docs', async () => {
      const res = await request(server).get('/docs').redirects(1);
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/swagger-ui/i);
    });
  });
});
