import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORWARD_PLANNER_ROUTES } from '../../src/protocols/forward-planner/forward-planner-routes.js';
import { PLANPOINT_ROUTES } from '../../src/protocols/planpoint/planpoint-routes.js';
import { PLANSYNC_ROUTES } from '../../src/protocols/plansync/plansync-routes.js';
import { REVERSE_ETL_ROUTES } from '../../src/protocols/reverse-etl/reverse-etl-routes.js';
import { startBuiltGateway, type BuiltGateway } from '../support/built-gateway.js';
import { curlLines, freePort, notRun, unexpectedAnswers } from '../support/doc-pages.js';
import { shellScriptOf } from '../support/markdown-blocks.js';
import { runRecordedShell, type RecordedRun } from '../support/recorded-shell.js';

/** A protocol's reference page and the routes it must show a request for (`{name}` matches any path segment). */
const PAGES: { page: string; routes: { method: string; path: string }[] }[] = [
  { page: 'docs/plansync.md', routes: PLANSYNC_ROUTES.flatMap((r) => r.methods.map((method) => ({ method, path: r.path }))) },
  { page: 'docs/forward-planner.md', routes: FORWARD_PLANNER_ROUTES.flatMap((r) => r.methods.map((method) => ({ method, path: r.path }))) },
  { page: 'docs/planpoint.md', routes: PLANPOINT_ROUTES.flatMap((r) => r.methods.map((method) => ({ method, path: r.path }))) },
  {
    page: 'docs/reverse-etl.md',
    routes: REVERSE_ETL_ROUTES.flatMap((r) => r.methods.map((method) => ({ method, path: `/api/reverse-etl${r.path}` }))),
  },
];

/** curl's method for a command line (`-X M`, else POST with a body or form, else GET) and its path. */
function requestOf(line: string): { method: string; path: string } | undefined {
  const url = /localhost:3000(\/[^\s"'?]*)/.exec(line)?.[1];
  if (!url) return undefined;
  const method = /-X\s+([A-Z]+)/.exec(line)?.[1] ?? (/\s(-d|-F|--data\S*)\s/.test(line) ? 'POST' : 'GET');
  return { method, path: url };
}

function matches(route: { method: string; path: string }, call: { method: string; path: string }): boolean {
  const pattern = new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
  return route.method === call.method && pattern.test(call.path);
}

/**
 * Each protocol's reference page cannot drift from the code: its `sh` blocks run in order with real curl through
 * bash against the built gateway of a fresh folder (the demo data, as a newcomer gets it), each answering no error
 * but where the page says so (`# → 404`), and every route of the protocol has a request on the page.
 */
describe.each(PAGES)('$page', ({ page, routes }) => {
  const markdown = readFileSync(join(__dirname, '../..', page), 'utf8');
  let gw: BuiltGateway;
  let run: RecordedRun;

  beforeAll(async () => {
    // the operator's opt-in the page says its gateway was started with (its receiver listens on loopback)
    const allowHosts = /^RETL_ALLOW_HOSTS=(\S+) npm start$/m.exec(markdown)?.[1];
    gw = await startBuiltGateway(allowHosts ? { RETL_ALLOW_HOSTS: allowHosts } : {});
    const key = /^ {2}KEY=(psk_\S+)$/m.exec(gw.stdout())![1];
    const hookPort = await freePort();
    const script = shellScriptOf(markdown, (line) =>
      line
        .replace(/^KEY=psk_\.\.\.(?=\s|$)/, `KEY=${key}`)
        .replaceAll('localhost:3000', `127.0.0.1:${gw.port}`)
        .replaceAll('localhost:4000', `127.0.0.1:${hookPort}`)
        .replaceAll('.listen(4000)', `.listen(${hookPort})`),
    );
    run = await runRecordedShell(script, { cwd: gw.dir, timeoutMs: 120_000 });
  }, 180_000);
  afterAll(() => gw?.stop());

  it('runs every curl command, each answering as the page says', () => {
    expect(notRun(page, markdown, run)).toEqual([]);
    expect(unexpectedAnswers(page, markdown, run)).toEqual([]);
  });

  it('shows a request for every route of the protocol', () => {
    const lines = markdown.split('\n');
    const calls = curlLines(markdown).flatMap((n) => {
      // a command continued on the next line (`\`) has its URL there
      const text = lines[n - 1].endsWith('\\') ? `${lines[n - 1]} ${lines[n]}` : lines[n - 1];
      const r = requestOf(text);
      return r ? [r] : [];
    });
    const missing = routes.filter((route) => !calls.some((call) => matches(route, call)));
    expect(missing.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });
});
