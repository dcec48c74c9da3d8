import { startBuiltGateway, type BuiltGateway } from '../support/built-gateway.js';

/**
 * What `npm start` prints: a person at a terminal sees the banner first and readable log lines; a machine reading the
 * output (not a terminal, or LOG_FORMAT=json) gets JSON lines; the route map is there at debug.
 */
describe('logs for people and for machines', () => {
  const gateways: BuiltGateway[] = [];
  afterAll(async () => {
    for (const gw of gateways) await gw.stop();
  });
  const start = async (env: Record<string, string>, terminal: boolean) => {
    const gw = await startBuiltGateway(env, { terminal });
    gateways.push(gw);
    return gw;
  };
  const untilLogged = async (gw: BuiltGateway, pattern: RegExp) => {
    for (let i = 0; i < 100 && !pattern.test(gw.stdout()); i++) await new Promise((r) => setTimeout(r, 50));
    return gw.stdout();
  };

  it('at a terminal: the banner is the first screen, then one readable line per request', async () => {
    const gw = await start({ LOG_LEVEL: 'info' }, true);
    const lines = gw.stdout().split('\n');
    const banner = lines.findIndex((l) => l.startsWith('Plangate listening on'));
    // before the banner at most the store's one line; no route map, no module list, no JSON
    expect(lines.slice(0, banner).filter((l) => l.trim())).toEqual(
      lines.slice(0, banner).filter((l) => /^\[[\d:.]+\] INFO: \[Store\] embedded store ready in \d+ ms/.test(l)),
    );
    expect(gw.stdout()).not.toMatch(/Mapped \{|dependencies initialized|^\{"level"/m);
    await fetch(`${gw.url}/health`);
    expect(await untilLogged(gw, /GET \/health 200/)).toMatch(/^\[[\d:.]+\] INFO: GET \/health 200 \d+(\.\d+)? ms plansync$/m);
  });

  it('not at a terminal: JSON lines, one per request with protocol, status and duration', async () => {
    const gw = await start({ LOG_LEVEL: 'info' }, false);
    await fetch(`${gw.url}/health`);
    const out = await untilLogged(gw, /"url":"\/health"[^\n]*"statusCode":200/);
    const lines = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
    // a new folder begins as a copy of the database the build prepared: no initdb inside the gateway
    expect(lines.find((l) => l.context === 'Store')?.msg).toMatch(
      /^embedded store ready in \d+ ms \(new: copied from the prepared database\)$/,
    );
    const request = lines.find((l) => l.req?.url === '/health');
    expect(request).toMatchObject({
      level: 30,
      req: { method: 'GET', protocol: 'plansync' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
  });

  it('LOG_FORMAT=json at a terminal too, and the route map at debug', async () => {
    const gw = await start({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }, true);
    const routes = gw
      .stdout()
      .split('\n')
      .filter((l) => l.includes('Mapped {'))
      .map((l) => JSON.parse(l) as { level: number; context: string });
    expect(routes.length).toBeGreaterThan(100);
    expect(new Set(routes.map((r) => `${r.level} ${r.context}`))).toEqual(new Set(['20 RouterExplorer']));
  });
});
