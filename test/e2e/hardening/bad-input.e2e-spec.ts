import { request as httpRequest } from 'node:http';
import { badInputs, planfixDocumentBodies, validRequest, type BadInput } from '../../support/bad-input-corpus.js';
import { catalogueGaps, CATALOGUE, credentialOf, type Endpoint } from '../../support/endpoint-catalogue.js';
import { snapshotDiff, startHardeningApp, type HardeningApp } from '../../support/hardening-app.js';
import { type AccountFixture } from '../../support/hardening-fixture.js';
import { badInputProblem, isRefused, type WireProtocol } from '../../support/protocol-errors.js';
import { type Snapshot } from '../../support/store-snapshot.js';
import { ON_POSTGRES } from '../../support/test-app.js';
import { fpLogin } from '../../factories/forward-planner.factory.js';

/**
 * Issue #11 item 1: a seeded corpus of bad inputs for every endpoint of every protocol (the catalogue is checked
 * against the app's router and the Planfix method registry). Pass: no 5xx, every refusal in the owning protocol's
 * error format, no row or file of the account changed by a refused request, the process healthy at the end.
 */
const SEED = 11;
const PROTOCOLS: WireProtocol[] = ['plansync', 'forward-planner', 'planfix', 'planpoint', 'reverse-etl', 'admin'];
const isRead = (ep: Endpoint) => (ep.protocol === 'planfix' ? /\.get/.test(ep.method) : ep.method === 'GET');
/** Deletes and logins last: their samples, when a bad input still passes, spend what other endpoints name. */
const order = (ep: Endpoint) => (ep.login ? 2 : ep.method === 'DELETE' ? 1 : 0);

describe('hardening: bad input to every endpoint', () => {
  let h: HardeningApp;
  let fx: AccountFixture;
  const tried: Record<string, number> = {};
  const problems: string[] = [];

  beforeAll(async () => {
    h = await startHardeningApp();
    fx = await h.fixture(30);
    await h.quiesce();
  });
  afterAll(async () => {
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    console.log(`bad-input corpus (${ON_POSTGRES ? 'PostgreSQL' : 'PGlite'}): ${JSON.stringify(tried)}, ${total} in all`);
    await h?.close();
  });

  it('catalogues every route the app serves and every Planfix method, and nothing it does not serve', () => {
    expect(catalogueGaps(h.t.app)).toEqual({ uncatalogued: [], unserved: [], planfixMissing: [] });
  });

  async function exercise(protocol: WireProtocol, cases: BadInput[], label: (b: BadInput) => string): Promise<void> {
    let before: Snapshot = await h.snapshot([fx.slug]);
    let endpoint: Endpoint | undefined;
    let n = 0;
    for (const b of cases) {
      // reads are compared once per endpoint, writes after every refused request
      if (endpoint && endpoint !== b.endpoint && isRead(endpoint)) {
        const after = await h.snapshot([fx.slug]);
        const diff = snapshotDiff(before, after);
        if (diff.length) problems.push(`${label({ ...b, endpoint })}: reads changed ${diff.join(', ')}`);
        before = after;
      }
      endpoint = b.endpoint;
      const headers = { ...b.headers };
      // reverse ETL: 120 requests a minute per key, so the corpus spreads its calls over the user's keys
      if (protocol === 'reverse-etl' && headers.Authorization === credentialOf('reverse-etl', fx, 0).Authorization)
        headers.Authorization = credentialOf('reverse-etl', fx, ++n).Authorization;
      const res = await h.send({ method: b.method, path: b.path, headers, body: b.body });
      tried[protocol] = (tried[protocol] ?? 0) + 1;
      const problem = badInputProblem(protocol, res);
      if (problem) problems.push(`${label(b)} [${b.category}: ${b.detail}]: ${problem}`);
      if (res.status === 429) problems.push(`${label(b)} [${b.category}: ${b.detail}]: rate-limited, so the input was not tried`);
      if (isRead(b.endpoint)) continue;
      const after = await h.snapshot([fx.slug]);
      // A reused refresh token is refused and, by design, revokes its family: that write is the point.
      const designedWrite =
        b.endpoint.route === '/api/v2/auth/renew' && b.body?.toString() === validRequest(b.endpoint, fx).body?.toString();
      if (isRefused(protocol, res) && !designedWrite) {
        const diff = snapshotDiff(before, after);
        if (diff.length)
          problems.push(`${label(b)} [${b.category}: ${b.detail}]: refused with ${res.status} but changed ${diff.join(', ')}`);
      }
      before = after;
    }
  }

  it.each(PROTOCOLS)('%s: no 5xx, errors in its own format, nothing changed by a refused request', async (protocol) => {
    const endpoints = CATALOGUE.filter((ep) => ep.protocol === protocol).sort((a, b) => order(a) - order(b));
    const cases = endpoints.flatMap((ep, i) => badInputs(ep, fx, { seed: SEED + i, perCategory: ep.route.startsWith('/v1/') ? 1 : 4 }));
    const label = (b: BadInput) => `${protocol} ${b.endpoint.method} ${b.endpoint.route}`;
    if (protocol === 'planfix') {
      const xml = CATALOGUE.find((ep) => ep.protocol === 'planfix' && ep.method === 'task.get')!;
      const documents = planfixDocumentBodies(fx, 60, SEED).map((d): BadInput => ({
        ...validRequest(xml, fx),
        endpoint: xml,
        category: 'document',
        detail: d.detail,
        body: d.body,
      }));
      await exercise(protocol, documents, () => 'planfix /xml/');
    }
    const start = problems.length;
    await exercise(protocol, cases, label);
    expect(problems.slice(start)).toEqual([]);
  });

  it("refuses oversize bodies in each protocol's format, an upload past 50 MB streamed, and changes nothing", async () => {
    const before = await h.snapshot([fx.slug]);
    const oversize: [WireProtocol, string, string, Buffer][] = [
      ['plansync', 'POST', '/api/v1/touchpoints?year=2025', Buffer.from(JSON.stringify({ company_name: 'x'.repeat(1024 * 1024) }))],
      ['forward-planner', 'POST', '/api/v2/auth', Buffer.from(JSON.stringify({ username: 'x'.repeat(1024 * 1024), password: 'y' }))],
      [
        'planfix',
        'POST',
        '/xml/',
        Buffer.from(
          `<request method="task.add"><account>${fx.slug}</account><task><title>${'x'.repeat(11 * 1024 * 1024)}</title></task></request>`,
        ),
      ],
      ['planpoint', 'POST', '/api/projects', Buffer.from(JSON.stringify({ name: 'x'.repeat(1024 * 1024) }))],
      ['reverse-etl', 'POST', '/api/reverse-etl/destinations', Buffer.from(JSON.stringify({ name: 'x'.repeat(1024 * 1024) }))],
      [
        'admin',
        'POST',
        `/admin/accounts/${fx.slug}/events`,
        Buffer.from(JSON.stringify([{ itemId: 1, summary: 'x'.repeat(32 * 1024 * 1024) }])),
      ],
    ];
    for (const [protocol, method, path, body] of oversize) {
      const res = await h.send({
        method,
        path,
        body,
        headers: { ...credentialOf(protocol, fx), 'Content-Type': protocol === 'planfix' ? 'application/xml' : 'application/json' },
      });
      tried[protocol] = (tried[protocol] ?? 0) + 1;
      expect({ protocol, problem: badInputProblem(protocol, res), refused: isRefused(protocol, res) }).toEqual({
        protocol,
        problem: undefined,
        refused: true,
      });
      if (protocol !== 'planfix') expect(res.status).toBe(413);
    }
    // 50 MB + 1 of file content, streamed in 1 MiB chunks: refused (400, as the spec says) and no file kept
    const res = await streamedUpload(h.base, fx.key, 50 * 1024 * 1024 + 1);
    tried.plansync = (tried.plansync ?? 0) + 1;
    expect([res.status, res.text]).toEqual([400, JSON.stringify({ detail: 'File exceeds the 50 MB limit' })]);
    expect(badInputProblem('plansync', { status: res.status, headers: res.headers, text: res.text })).toBeUndefined();
    expect(snapshotDiff(before, await h.snapshot([fx.slug]))).toEqual([]);
  });

  it('is still healthy: /health, and a valid read in every protocol', async () => {
    expect((await h.send({ method: 'GET', path: '/health' })).status).toBe(200);
    // a fresh Forward Planner session: the corpus reused the fixture's refresh token, which ended its family
    fx.fp.access = (await fpLogin(h.server, fx)).token;
    const reads = ['/api/v1/spreadsheets', '/api/v2/categories', '/api/projects/mine', '/api/reverse-etl/syncs', '/admin/accounts'];
    for (const path of reads) {
      const ep = CATALOGUE.find((x) => x.route === path && x.method === 'GET')!;
      const res = await h.send({ method: 'GET', path, headers: credentialOf(ep.protocol, fx, 99) });
      expect({ path, status: res.status }).toEqual({ path, status: ep.protocol === 'planpoint' ? 201 : 200 });
    }
    const xml = CATALOGUE.find((ep) => ep.protocol === 'planfix' && ep.method === 'user.get')!;
    const res = await h.send(validRequest(xml, fx));
    expect(res.text).toContain('<response status="ok">');
  });
});

/** A multipart upload of `size` bytes of file content, written in chunks as a client streams a large file. */
function streamedUpload(
  base: string,
  key: string,
  size: number,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const boundary = '----plangate-oversize';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="company_name"\r\n\r\nAcme Corp\r\n--${boundary}\r\nContent-Disposition: form-data; name="document_type"\r\n\r\nPlan Document\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 `,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/api/v1/files/upload`, {
      method: 'POST',
      headers: {
        'X-API-Key': key,
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': String(head.length + size + tail.length),
        'X-Forwarded-For': '10.254.0.1',
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    // the server may answer and close before the whole body is sent: that is the expected refusal
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let left = size;
    const write = () => {
      while (left > 0) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= part.length;
        if (!req.write(part)) return void req.once('drain', write);
      }
      req.end(tail);
    };
    req.write(head);
    write();
  });
}
