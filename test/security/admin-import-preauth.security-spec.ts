import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createAccountWithKey } from '../factories/admin.factory.js';
import { listen } from '../factories/planfix.factory.js';
import { importSheet } from '../factories/plansync.factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Issue #17: the Admin API's imports take bodies of up to 50 MB (spreadsheets) and 20 MiB (events). The admin token
 * is checked before such a body is read: a request without it is answered 401 while the client is still sending,
 * and the connection is closed after the answer, the body never buffered.
 */
const DECLARED = 50 * 1024 * 1024;
const SENT = 256 * 1024;

interface Outcome {
  status: number;
  body: unknown;
  connection: string | undefined;
  /** Bytes the client had written when the answer's head arrived. */
  writtenBeforeAnswer: number;
  /** The server closed the connection after answering. */
  closed: boolean;
}

/**
 * Declares a `DECLARED`-byte body, sends only `SENT` bytes of it and waits: a server that read the body before
 * answering would wait for the rest, and this would never resolve (the test would time out).
 */
function sendPartOfHugeBody(base: string, path: string, contentType: string, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let written = 0;
    const req = httpRequest(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': contentType, 'Content-Length': String(DECLARED), ...headers },
    });
    req.on('response', (res: IncomingMessage) => {
      const writtenBeforeAnswer = written;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const outcome = {
          status: res.statusCode ?? 0,
          body: JSON.parse(text) as unknown,
          connection: res.headers.connection,
          writtenBeforeAnswer,
        };
        // the server ends the connection: the socket closes without the client ending its request
        if (req.socket?.destroyed) resolve({ ...outcome, closed: true });
        else req.socket?.once('close', () => resolve({ ...outcome, closed: true }));
      });
    });
    // once the server has closed, writes of the unsent rest may fail: that is the point, not an error of the test
    req.on('error', (e: NodeJS.ErrnoException) => (['EPIPE', 'ECONNRESET'].includes(e.code ?? '') ? undefined : reject(e)));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    for (let i = 0; i < SENT / chunk.length; i++) {
      req.write(chunk);
      written += chunk.length;
    }
  });
}

describe('security: Admin API imports check the token before reading the body', () => {
  let t: TestApp;
  let base: string;
  let slug: string;

  beforeAll(async () => {
    t = await startTestApp();
    base = await listen(t.app.getHttpServer());
    slug = (await createAccountWithKey(t.app.getHttpServer())).slug;
  });
  afterAll(async () => {
    await t?.close();
  });

  const unauthorized = { error: { code: 'unauthorized', message: 'a valid admin token is required: Authorization: Bearer <ADMIN_TOKEN>' } };

  it.each([
    ['a spreadsheet import, no token', () => `/admin/accounts/${slug}/spreadsheets/Client%20List/import?year=2025`, 'text/csv', {}],
    [
      'a spreadsheet import, a wrong token',
      () => `/admin/accounts/${slug}/spreadsheets/Client%20List/import?year=2025`,
      'text/csv',
      { Authorization: 'Bearer not-the-token' },
    ],
    ['an event import, no token', () => `/admin/accounts/${slug}/events`, 'application/json', {}],
  ] as const)('%s: 401 before the body is sent, then the connection closes', async (_name, path, type, headers) => {
    const rssBefore = process.memoryUsage().rss;
    const outcome = await sendPartOfHugeBody(base, path(), type, headers);
    expect(outcome).toMatchObject({ status: 401, body: unauthorized, connection: 'close', closed: true });
    expect(outcome.writtenBeforeAnswer).toBeLessThan(DECLARED);
    // nothing near the declared size was held (a generous bound: the process allocates for other reasons too)
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(DECLARED / 2);
  });

  it('with the token, an import still reads its body', async () => {
    const res = await importSheet(t.app.getHttpServer(), slug, 'Client List', 2025, 'Client Name,Plan Assets\nAcme Corp,1250000.50\n');
    expect(res.status).toBeLessThan(300);
  });
});
