import request from 'supertest';
import { ProtocolRegistry } from '../../src/pipeline/protocol.js';
import { PROTOCOLS } from '../../src/protocols/index.js';
import { TOY } from '../fixtures/toy-protocol/toy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The request pipeline is the protocols' list: a sixth protocol (test/fixtures/toy-protocol, one folder) added to it
 * is served, and every answer the pipeline gives on its paths, before or after routing, is in its own format.
 */
describe('request pipeline: a new protocol is one folder and one list entry', () => {
  let t: TestApp;
  const toy = (text: string) =>
    expect.objectContaining({ text, headers: expect.objectContaining({ 'content-type': 'text/plain; charset=utf-8' }) });

  beforeAll(async () => {
    t = await startTestApp({ protocols: new ProtocolRegistry([...PROTOCOLS.protocols, TOY], PROTOCOLS.fallback) });
  });
  afterAll(() => t?.close());

  it('answers its unknown paths 404 and wrong methods 405 with Allow, in its own format', async () => {
    const server = t.app.getHttpServer();
    const unknown = await request(server).get('/toy/nope');
    expect(unknown.status).toBe(404);
    expect(unknown).toEqual(toy('TOY 404 not_found\n'));
    const wrong = await request(server).delete('/toy/ping');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
    expect(wrong).toEqual(toy('TOY 405 method_not_allowed\n'));
  });

  it('refuses a malformed and an oversize body in its own format, before its route runs', async () => {
    const server = t.app.getHttpServer();
    const malformed = await request(server).post('/toy/echo').set('Content-Type', 'application/json').send('{"a":');
    expect(malformed.status).toBe(400);
    expect(malformed).toEqual(toy('TOY 400 malformed\n'));
    const large = await request(server)
      .post('/toy/echo')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ a: 'x'.repeat(2048) }));
    expect(large.status).toBe(413);
    expect(large).toEqual(toy('TOY 413 payload_too_large\n'));
  });

  it('serves its routes and answers its own limit in its own format', async () => {
    const server = t.app.getHttpServer();
    const echo = await request(server).post('/toy/echo').send({ a: 1 });
    expect(echo.status).toBe(201);
    expect(echo.body).toEqual({ echo: { a: 1 } });
    // three a minute per client IP: the echo above was the first
    expect((await request(server).get('/toy/ping')).headers['toy-remaining']).toBe('1');
    expect((await request(server).get('/toy/ping')).headers['toy-remaining']).toBe('0');
    const refused = await request(server).get('/toy/ping');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused).toEqual(toy('TOY 429 rate_limited\n'));
  });

  it('leaves the other protocols as they were', async () => {
    const server = t.app.getHttpServer();
    expect((await request(server).get('/health')).status).toBe(200);
    const fp = await request(server).get('/api/v2/nope');
    expect(fp.status).toBe(404);
    expect(fp.body).toEqual({ error: 'Not Found', message: 'No endpoint /api/v2/nope' });
    const gateway = await request(server).get('/toyland');
    expect(gateway.status).toBe(404);
    expect(gateway.body).toMatchObject({ error: { code: 'not_found' } });
  });
});
