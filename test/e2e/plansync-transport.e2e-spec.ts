import { request as httpRequest } from 'node:http';
import { type AddressInfo } from 'node:net';
import request from 'supertest';
import { PLANSYNC_ROUTES } from '../../src/protocols/plansync/plansync-routes.js';
import { createAccountWithKey } from '../factories/admin.factory.js';
import { plansync } from '../factories/plansync.factory.js';
import { blobState } from '../support/blob-state.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('PlanSync transport', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Behind a proxy, so that the 401 flood below comes from an address of its own: the failed-attempt counter is
    // shared with every other test through the store.
    t = await startTestApp({ overrides: { requestTimeoutMs: 1500 }, env: { TRUST_PROXY: 'true' } });
    await t.app.listen(0, '127.0.0.1');
  });
  afterAll(() => t.close());

  it('answers 504 when an upload outlasts the request timeout, and keeps nothing', async () => {
    const a = await createAccountWithKey(t.app.getHttpServer());
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    const boundary = 'slowBoundary';
    const started = Date.now();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/api/v1/files/upload',
          headers: { 'X-API-Key': a.key, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      // A client that starts a file and then stalls.
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.pdf"\r\n\r\nsome bytes`);
    });
    expect(answer.status).toBe(504);
    expect(JSON.parse(answer.body)).toEqual({ detail: 'Request timed out after 2 seconds' });
    expect(Date.now() - started).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await blobState(t)).partial).toBe(0);
    expect((await plansync(t.app.getHttpServer(), a.key).get('/api/v1/files').expect(200)).body.count).toBe(0);
  });

  it('refuses an IP with 429 after 300 failed authentications in a minute, without answering 401 again', async () => {
    const server = t.app.getHttpServer();
    const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const bad = () =>
      request(server)
        .get('/api/v1/spreadsheets')
        .set('X-Forwarded-For', ip)
        .set('X-API-Key', 'psk_' + 'x'.repeat(40));
    for (let i = 0; i < 300; i++) expect((await bad()).status).toBe(401);
    const refused = await bad();
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ detail: 'Too many failed authentication attempts' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Without a key, too; another address is not affected.
    expect((await request(server).get('/api/v1/spreadsheets').set('X-Forwarded-For', ip)).status).toBe(429);
    expect((await request(server).get('/api/v1/spreadsheets').set('X-Forwarded-For', '192.0.2.1')).status).toBe(401);
  });

  it('documents every PlanSync route under the tag plansync, and the 405 table matches the routes', async () => {
    const doc = (await request(t.app.getHttpServer()).get('/openapi.json').expect(200)).body;
    for (const route of PLANSYNC_ROUTES) {
      const item = doc.paths[route.path];
      expect(item).toBeDefined();
      expect(
        Object.keys(item)
          .map((m) => m.toUpperCase())
          .sort(),
      ).toEqual([...route.methods].sort());
      for (const method of route.methods) expect(item[method.toLowerCase()].tags).toEqual(['plansync']);
    }
    const documented = Object.keys(doc.paths).filter((p) => p === '/health' || p.startsWith('/api/v1/'));
    expect(documented.sort()).toEqual(PLANSYNC_ROUTES.map((r) => r.path).sort());
    expect(doc.components.securitySchemes.plansync).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  });
});
