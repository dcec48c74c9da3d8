import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DemoSeedService } from '../../src/demo/demo-seed.service.js';
import { ROOT, startBuiltGateway, type BuiltGateway } from '../support/built-gateway.js';
import { runRecordedShell } from '../support/recorded-shell.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The first start of an empty embedded store: what `npm start` gives a newcomer on a fresh machine. Always on the
 * embedded store (also under test:pg), since that is where the demo is made without being asked.
 */
describe('demo data', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { DATABASE_URL: '', SEED_DEMO: '' } });
  });
  afterAll(() => t.close());

  it('creates the demo account with a key that works on PlanSync, with sheets and touchpoints', async () => {
    const seeded = t.app.get(DemoSeedService).seeded!;
    expect(seeded.key).toMatch(/^psk_/);
    const server = t.app.getHttpServer();
    const year = new Date().getUTCFullYear();
    const list = await request(server).get('/api/v1/spreadsheets').set('X-API-Key', seeded.key).expect(200);
    expect(list.body.years['Client List']).toEqual([year - 1, year]);
    const data = await request(server).get(`/api/v1/spreadsheets/Client%20List/data?year=${year}`).set('X-API-Key', seeded.key).expect(200);
    expect(data.body.count).toBe(3);
    const tps = await request(server).get(`/api/v1/touchpoints?year=${year}`).set('X-API-Key', seeded.key).expect(200);
    expect(tps.body.count).toBe(2);
  });
});

/**
 * `npm start` on a fresh clone (the built service in an empty folder): the banner's KEY= line and every curl line it
 * prints, pasted into bash in order, each a success on its own protocol; the key printed exactly once.
 */
describe('start banner of a fresh clone', () => {
  let gw: BuiltGateway;

  beforeAll(async () => {
    gw = await startBuiltGateway();
  });
  afterAll(() => gw?.stop());

  it('runs on the Node.js the project pins, and says so first', () => {
    const pinned = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies
      .node;
    expect(gw.stdout().split('\n')[0]).toMatch(
      new RegExp(`^Plangate listening on http://\\S+ \\(embedded store in \\S+, Node\\.js v${pinned.replaceAll('.', '\\.')}\\)$`),
    );
  });

  it('prints the demo key once and one working curl per protocol', async () => {
    const banner = gw.stdout().split('\n');
    const key = /^ {2}KEY=(psk_[0-9A-Za-z]{40})$/m.exec(gw.stdout())?.[1];
    expect(key).toBeDefined();
    expect(gw.stdout().split(key!).length - 1).toBe(1);
    // The pasted lines keep their banner line numbers, so that a failure names the line.
    const script = banner.map((l) => (/^ {2}(KEY=|curl )/.test(l) ? l.trim() : '')).join('\n');
    const curlLines = banner.flatMap((l, i) => (/^ {2}curl /.test(l) ? [i + 1] : []));
    const protocols = ['Admin API', 'PlanSync', 'Forward Planner', 'Planfix XML', 'Planpoint', 'reverse ETL'];
    for (const p of protocols) expect(banner.some((l) => /^ {2}curl /.test(l) && l.includes(`# ${p}`))).toBe(true);

    const run = await runRecordedShell(script, { cwd: gw.dir });
    const failures = run.calls.filter((c) => c.exitCode !== 0 || c.status >= 400 || c.body.includes('<response status="error"'));
    expect(
      failures.map(
        (c) => `banner line ${c.line}: ${banner[c.line - 1].trim()}\n→ curl exit ${c.exitCode}, HTTP ${c.status}: ${c.body.slice(0, 300)}`,
      ),
    ).toEqual([]);
    for (const line of curlLines) expect(run.calls.some((c) => c.line === line)).toBe(true);
    const bodyOf = (marker: string) =>
      run.calls
        .filter((c) => banner[c.line - 1].includes(marker))
        .map((c) => c.body)
        .join('\n');
    expect(bodyOf('# PlanSync')).toContain('"Globex"');
    expect(bodyOf('# Forward Planner')).toContain('Quarterly plan sponsor review');
    expect(bodyOf('# Planfix XML')).toContain('<tasks totalCount="3" count="3">');
    expect(bodyOf('# Planpoint public find')).toContain('"unitNumber":"101"');
    expect(JSON.parse(bodyOf('# reverse ETL'))).toMatchObject({ data: [] });
  });

  it('keeps idle connections 65 s, past the 60 s of load balancers and pools, and says so', async () => {
    // Node's 5 s default reset requests that clients with no idle limit of their own wrote on a closing connection
    const res = await fetch(`${gw.url}/health`);
    await res.text();
    expect(res.headers.get('keep-alive')).toBe('timeout=65');
  });
});
