import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { PLANFIX_METHODS } from '../../src/protocols/planfix/wire/planfix-call.js';
import { DemoSeedService } from '../../src/demo/demo-seed.service.js';
import { admin } from '../factories/admin.factory.js';
import { codeBlocks } from '../support/markdown-blocks.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PAGE = readFileSync(join(__dirname, '../../docs/planfix.md'), 'utf8');
/** The page's request examples, in page order, with the line each starts on. */
const REQUESTS = codeBlocks(PAGE)
  .filter((b) => b.lang === 'xml' && b.lines[0].startsWith('<request'))
  .map((b) => ({ line: b.firstLine, xml: b.lines.join('\n'), method: /method="([^"]+)"/.exec(b.lines[0])![1] }));

/**
 * docs/planfix.md cannot drift: each of its XML requests, sent in page order to a gateway with fresh demo data
 * (always the embedded store, where the demo is made and ids are those of the page), answers status="ok".
 * `<sid>…</sid>` is the sid of the page's own auth.login, whose password the test sets as the page says an operator
 * does. The account's per-second rate is turned off so that the page runs in one go (the daily quota still counts).
 */
describe('docs/planfix.md examples', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { DATABASE_URL: '', SEED_DEMO: '' } });
    key = t.app.get(DemoSeedService).seeded!.key;
    const server = t.app.getHttpServer();
    await admin(server).patch('/admin/accounts/demo/users/demo-admin', { password: 'correct-horse-battery' }).expect(200);
    await admin(server)
      .patch('/admin/accounts/demo', { settings: { planfix: { rate_per_second: 0 } } })
      .expect(200);
  });
  afterAll(() => t.close());

  it('documents every method with a request', () => {
    expect([...new Set(REQUESTS.map((r) => r.method))].sort()).toEqual([...PLANFIX_METHODS].sort());
  });

  it('answers every request example with status="ok"', async () => {
    let sid = '';
    const failures: string[] = [];
    for (const r of REQUESTS) {
      const body = r.xml.replace('<sid>…</sid>', `<sid>${sid}</sid>`);
      const res = await request(t.app.getHttpServer()).post('/xml/').auth(key, 'x').type('application/xml').send(body);
      if (res.status !== 200 || !res.text.includes('<response status="ok">'))
        failures.push(`docs/planfix.md:${r.line} ${r.method}: HTTP ${res.status} ${res.text}`);
      if (r.method === 'auth.login') sid = /<sid>([0-9a-f]{32})<\/sid>/.exec(res.text)?.[1] ?? '';
    }
    expect(failures).toEqual([]);
    expect(sid).not.toBe('');
  });
});
