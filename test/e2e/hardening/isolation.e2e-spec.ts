import { validRequest } from '../../support/bad-input-corpus.js';
import { CATALOGUE, type Endpoint } from '../../support/endpoint-catalogue.js';
import { snapshotDiff, startHardeningApp, type HardeningApp } from '../../support/hardening-app.js';
import { ghostOf, type AccountFixture } from '../../support/hardening-fixture.js';
import { isRefused } from '../../support/protocol-errors.js';

/**
 * Issue #11 item 2: two accounts with the same shapes of data; every endpoint that names an object (an id, a name,
 * a namespace), called with B's credential on A's objects, must answer exactly as it does for objects that do not
 * exist (status and body, the ids and request ids aside), read nothing and write nothing of A's.
 */
const MATRIX = CATALOGUE.filter((ep) => ep.refs);

/** An answer with the names of the objects asked for (A's or the ghost's) and per-request values blanked. */
function normalised(res: { status: number; text: string }, names: string[]): { status: number; body: string } {
  let body = res.text;
  for (const n of names.filter((x) => x.length > 2).sort((x, y) => y.length - x.length)) body = body.split(n).join('<name>');
  body = body
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?/g, '<time>');
  return { status: res.status, body };
}

/** The ids and names a sample carries: what differs between A's request and the ghost's. */
function namesOf(fx: AccountFixture): string[] {
  const values = [
    fx.slug,
    fx.namespace,
    ...Object.values(fx.plansync),
    ...Object.values(fx.planfix),
    ...Object.values(fx.planpoint),
    ...Object.values(fx.retl),
    fx.fp.itemId,
  ];
  return values.map(String).flatMap((v) => [v, encodeURIComponent(v)]);
}

describe("hardening: isolation matrix (account B on account A's objects)", () => {
  let h: HardeningApp;
  let a: AccountFixture;
  let b: AccountFixture;
  const tried: Record<string, number> = {};

  beforeAll(async () => {
    h = await startHardeningApp();
    a = await h.fixture();
    b = await h.fixture();
    await h.quiesce();
  });
  afterAll(async () => {
    console.log(`isolation matrix: ${MATRIX.length} endpoints (${JSON.stringify(tried)})`);
    await h?.close();
  });

  it('covers every endpoint that names an object in every protocol', () => {
    const protocols = new Set(MATRIX.map((ep) => ep.protocol));
    expect([...protocols].sort()).toEqual(['forward-planner', 'planfix', 'planpoint', 'plansync', 'reverse-etl']);
  });

  it("answers B on A's ids as on ids that do not exist, and A's data is unchanged", async () => {
    const before = await h.snapshot([a.slug]);
    const ghost = ghostOf(a);
    const leaks: string[] = [];
    // writes that would succeed on a missing id are none; deletes last so that nothing else depends on them
    const ordered = [...MATRIX].sort((x, y) => Number(x.method === 'DELETE') - Number(y.method === 'DELETE'));
    for (const ep of ordered) {
      // B's credential, A's objects (and A's namespace for the public finds)
      const onA = await send(ep, withObjectsOf(b, a));
      const onGhost = await send(ep, withObjectsOf(b, ghost));
      tried[ep.protocol] = (tried[ep.protocol] ?? 0) + 1;
      const label = `${ep.protocol} ${ep.method} ${ep.route}`;
      if (!isRefused(ep.protocol, onGhost) && !isRefused(ep.protocol, onA)) {
        // both "succeed" (a list filtered by an id, a resolve of unknown ids): neither may show A's objects
        const leaked = namesOf(a).filter(
          (n) => n.length > 4 && onA.text.includes(n) && !JSON.stringify(ep.sample(withObjectsOf(b, a))).includes(n),
        );
        if (leaked.length) leaks.push(`${label}: B's answer shows A's ${leaked.join(', ')}`);
      }
      // a sheet's name is the same in every account (a fixed set): B reads its own table of that name, never A's
      if (ep.route.startsWith('/api/v1/spreadsheets/')) {
        const ownRows = !ep.route.endsWith('/data') || onA.text.includes(b.slug);
        if (onA.status !== 200 || onA.text.includes(a.slug) || !ownRows)
          leaks.push(`${label}: B's answer is not B's own table: ${onA.text.slice(0, 300)}`);
        continue;
      }
      const x = normalised(onA, namesOf(a));
      const y = normalised(onGhost, namesOf(ghost));
      if (x.status !== y.status || x.body !== y.body)
        leaks.push(`${label}: on A's object ${x.status} ${x.body.slice(0, 300)} but on a missing one ${y.status} ${y.body.slice(0, 300)}`);
    }
    expect(leaks).toEqual([]);
    expect(snapshotDiff(before, await h.snapshot([a.slug]))).toEqual([]);
  });

  async function send(ep: Endpoint, fx: AccountFixture) {
    return h.send(validRequest(ep, fx));
  }
});

/** `who`'s credentials (key, account, FP session) naming `whose` objects (ids, names, namespace). */
function withObjectsOf(who: AccountFixture, whose: AccountFixture): AccountFixture {
  return {
    ...who,
    plansync: whose.plansync,
    planfix: whose.planfix,
    planpoint: whose.planpoint,
    retl: whose.retl,
    namespace: whose.namespace,
    fp: { ...who.fp, itemId: whose.fp.itemId, spareItemId: whose.fp.spareItemId },
  };
}
