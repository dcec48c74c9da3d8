import { admin, createAccountWithKey, unique } from '../factories/admin.factory.js';
import { fpLogin } from '../factories/forward-planner.factory.js';
import { listen, nextIp, xmlCall } from '../factories/planfix.factory.js';
import { freshIp } from '../factories/planpoint.factory.js';
import { exchange, type RawResponse } from '../clients/http-transport.js';
import { badInputProblem, isRefused, type WireProtocol } from '../support/protocol-errors.js';
import { useListeningApp } from '../support/listening-app.js';
import { ON_POSTGRES, startTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

/**
 * Issue #17, one credential rule: a password change, a key revocation, a user's deactivation and an account's
 * disabling each end every session and token derived from that credential, in every protocol, each refusing in its
 * own error format; what is not derived from it keeps working. On PostgreSQL, a change made on one instance is
 * refused on another.
 */
const PASSWORD = 'the original password 1';
const NEW_PASSWORD = 'the replacement password 2';

interface Fixture {
  base: string;
  slug: string;
  username: string;
  email: string;
  keyName: string;
  key: string;
  /** A key of another user of the account: the Basic key that presents the sid, so that only the sid is judged. */
  otherKey: string;
}

/** Everything a client can hold after logging in every way with the fixture's password and key. */
interface Held {
  sid: string;
  planpointJwt: string;
  fpAccess: string;
  fpRefresh: string;
}

type Use = (f: Fixture, held: Held) => Promise<RawResponse>;

const xml = (method: string, slug: string, inner = '') => `<request method="${method}"><account>${slug}</account>${inner}</request>`;

/** Each derived session or token (and the key used directly), with one read in its protocol. */
const USES: Record<string, { protocol: WireProtocol; use: Use }> = {
  'PlanSync X-API-Key': {
    protocol: 'plansync',
    use: (f) => exchange(`${f.base}/api/v1/spreadsheets`, { method: 'GET', headers: { 'X-API-Key': f.key } }),
  },
  'Forward Planner access token': {
    protocol: 'forward-planner',
    use: (f, h) =>
      exchange(`${f.base}/api/v2/categories`, {
        method: 'GET',
        headers: { Authorization: `Bearer ${h.fpAccess}`, 'X-Forwarded-For': nextIp() },
      }),
  },
  'Forward Planner refresh token': {
    protocol: 'forward-planner',
    // a renew spends the token: the one it hands back is kept for the next use
    use: async (f, h) => {
      const res = await exchange(`${f.base}/api/v2/auth/renew`, {
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': nextIp() },
        body: JSON.stringify({ refreshToken: h.fpRefresh }),
      });
      if (res.status === 200) h.fpRefresh = (JSON.parse(res.text) as { refreshToken: string }).refreshToken;
      return res;
    },
  },
  'Planfix token mode': {
    protocol: 'planfix',
    use: (f) => xmlCall(f.base, xml('project.getList', f.slug), { auth: `${f.otherKey}:${f.key}` }),
  },
  'Planfix auth.login sid': {
    protocol: 'planfix',
    use: (f, h) => xmlCall(f.base, xml('project.getList', f.slug, `<sid>${h.sid}</sid>`), { auth: `${f.otherKey}:x` }),
  },
  'Planpoint login token': {
    protocol: 'planpoint',
    use: (f, h) =>
      exchange(`${f.base}/api/projects/mine`, {
        method: 'GET',
        headers: { Authorization: `Bearer ${h.planpointJwt}`, 'X-Forwarded-For': freshIp() },
      }),
  },
  'Planpoint bearer key': {
    protocol: 'planpoint',
    use: (f) =>
      exchange(`${f.base}/api/projects/mine`, {
        method: 'GET',
        headers: { Authorization: `Bearer ${f.key}`, 'X-Forwarded-For': freshIp() },
      }),
  },
  'reverse ETL key': {
    protocol: 'reverse-etl',
    use: (f) => exchange(`${f.base}/api/reverse-etl/syncs`, { method: 'GET', headers: { Authorization: `Bearer ${f.key}` } }),
  },
};
const ALL = Object.keys(USES);

/** The credential changes, what each ends (the matrix), and how the Admin API makes them. */
const CHANGES: { change: string; ends: string[]; make: (f: Fixture) => Promise<unknown>; undo?: (f: Fixture) => Promise<unknown> }[] = [
  {
    change: 'password change',
    ends: ['Planfix auth.login sid', 'Planpoint login token'],
    make: (f) => patchUser(f, { password: NEW_PASSWORD }),
  },
  {
    change: 'key revocation',
    // the sid was opened under the revoked key (its Basic username); the Planpoint token came from the password
    ends: ALL.filter((u) => u !== 'Planpoint login token'),
    make: (f) => adminCall(f, 'DELETE', `/admin/accounts/${f.slug}/users/${f.username}/keys/${f.keyName}`),
  },
  {
    change: 'user deactivation',
    ends: ALL,
    make: (f) => patchUser(f, { active: false }),
    undo: (f) => patchUser(f, { active: true }),
  },
  {
    change: 'account disabled',
    ends: ALL,
    make: (f) => adminCall(f, 'PATCH', `/admin/accounts/${f.slug}`, { status: 'disabled' }),
    undo: (f) => adminCall(f, 'PATCH', `/admin/accounts/${f.slug}`, { status: 'active' }),
  },
];

/** Sessions and tokens from a password login: they stay ended when the user or the account comes back. */
const PASSWORD_DERIVED = ['Planfix auth.login sid', 'Planpoint login token'];

async function adminCall(f: { base: string }, method: string, path: string, body?: unknown): Promise<RawResponse> {
  const res = await exchange(`${f.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res;
}

function patchUser(f: Fixture, body: Record<string, unknown>): Promise<RawResponse> {
  return adminCall(f, 'PATCH', `/admin/accounts/${f.slug}/users/${f.username}`, body);
}

async function fixture(t: TestApp, base: string): Promise<Fixture> {
  const server = t.app.getHttpServer();
  const a = await createAccountWithKey(server, { password: PASSWORD });
  const other = unique('other');
  await admin(server)
    .post(`/admin/accounts/${a.slug}/users`, { username: other, email: `${other}@example.com`, role: 'advisor' })
    .expect(201);
  const otherKey = (await admin(server).post(`/admin/accounts/${a.slug}/users/${other}/keys`, { name: 'basic' }).expect(201)).body
    .key as string;
  // the Planfix bucket off: this file's calls come faster than the spec's 1 per second
  await admin(server)
    .patch(`/admin/accounts/${a.slug}`, { settings: { planfix: { rate_per_second: 0 } } })
    .expect(200);
  return { base, slug: a.slug, username: a.username, email: a.email, keyName: a.keyName, key: a.key, otherKey };
}

async function planfixLogin(f: Fixture, password = PASSWORD): Promise<RawResponse> {
  return xmlCall(f.base, xml('auth.login', f.slug, `<login>${f.username}</login><password>${password}</password>`), { auth: `${f.key}:x` });
}

async function logInEverywhere(t: TestApp, f: Fixture): Promise<Held> {
  const sid = /<sid>([0-9a-f]{32})<\/sid>/.exec((await planfixLogin(f)).text)?.[1];
  const pp = await exchange(`${f.base}/api/users/login`, {
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': freshIp() },
    body: JSON.stringify({ username: f.email, password: PASSWORD }),
  });
  const fp = await fpLogin(t.app.getHttpServer(), { username: f.username, key: f.key });
  if (!sid || pp.status !== 200) throw new Error(`logins failed: sid ${sid}, planpoint ${pp.status} ${pp.text}`);
  return {
    sid,
    planpointJwt: (JSON.parse(pp.text) as { access_token: string }).access_token,
    fpAccess: fp.token,
    fpRefresh: fp.refreshToken,
  };
}

/** Each use's answer, as refused or not, with any answer not in its protocol's own format. */
async function judge(f: Fixture, held: Held): Promise<Record<string, { refused: boolean; problem?: string; text: string }>> {
  const out: Record<string, { refused: boolean; problem?: string; text: string }> = {};
  for (const [name, { protocol, use }] of Object.entries(USES)) {
    const res = await use(f, held);
    out[name] = { refused: isRefused(protocol, res), problem: badInputProblem(protocol, res), text: res.text.slice(0, 160) };
  }
  return out;
}

function refusedOnly(j: Awaited<ReturnType<typeof judge>>): Record<string, boolean> {
  return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, v.refused]));
}

describe('security: a credential change ends what was derived from it, in every protocol', () => {
  const app = useListeningApp({ env: { TRUST_PROXY: 'true' } });

  it.each(CHANGES.map((c) => [c.change, c] as const))('%s', async (_name, { ends, make, undo }) => {
    const f = await fixture(app.t, app.base);
    const held = await logInEverywhere(app.t, f);
    const before = await judge(f, held);
    expect(refusedOnly(before)).toEqual(Object.fromEntries(ALL.map((u) => [u, false])));

    await make(f);
    const after = await judge(f, held);
    expect(refusedOnly(after)).toEqual(Object.fromEntries(ALL.map((u) => [u, ends.includes(u)])));
    // every refusal in its protocol's own format, never a 5xx
    expect(Object.entries(after).filter(([, v]) => v.problem)).toEqual([]);

    if (undo) {
      // the user or account back: its keys work again, the sessions of password logins stay ended
      await undo(f);
      const back = await judge(f, held);
      for (const u of PASSWORD_DERIVED) expect({ u, refused: back[u].refused }).toEqual({ u, refused: true });
      for (const u of ['PlanSync X-API-Key', 'Planpoint bearer key', 'Planfix token mode'])
        expect({ u, refused: back[u].refused }).toEqual({ u, refused: false });
    }
  });

  it('Planfix replay: auth.login, the admin changes the password, the old sid answers 0005 in Planfix XML', async () => {
    const f = await fixture(app.t, app.base);
    const sid = /<sid>([0-9a-f]{32})<\/sid>/.exec((await planfixLogin(f)).text)![1];
    const withSid = () => xmlCall(app.base, xml('user.get', f.slug, `<sid>${sid}</sid>`), { auth: `${f.key}:x` });
    expect((await withSid()).text).toContain('<response status="ok">');

    await patchUser(f, { password: NEW_PASSWORD });
    const res = await withSid();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<response status="error"><code>0005</code><message>session key expired or unknown</message></response>',
    );
    // the old password no longer logs in (1001); the new one does, and its sid works
    expect((await planfixLogin(f)).text).toContain('<code>1001</code>');
    const fresh = /<sid>([0-9a-f]{32})<\/sid>/.exec((await planfixLogin(f, NEW_PASSWORD)).text)![1];
    expect((await xmlCall(app.base, xml('user.get', f.slug, `<sid>${fresh}</sid>`), { auth: `${f.key}:x` })).text).toContain(
      '<response status="ok">',
    );
  });

  it('a Planpoint token from a login just before a password change is refused, whatever second both fall in', async () => {
    const f = await fixture(app.t, app.base);
    const login = async (password: string) =>
      exchange(`${app.base}/api/users/login`, {
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': freshIp() },
        body: JSON.stringify({ username: f.username, password }),
      });
    const old = (JSON.parse((await login(PASSWORD)).text) as { access_token: string }).access_token;
    await patchUser(f, { password: NEW_PASSWORD });
    const fresh = (JSON.parse((await login(NEW_PASSWORD)).text) as { access_token: string }).access_token;
    const mine = (jwt: string) =>
      exchange(`${app.base}/api/projects/mine`, {
        method: 'GET',
        headers: { Authorization: `Bearer ${jwt}`, 'X-Forwarded-For': freshIp() },
      });
    const refused = await mine(old);
    expect({ status: refused.status, body: JSON.parse(refused.text) }).toEqual({
      status: 401,
      body: { message: 'Invalid or expired token' },
    });
    expect((await mine(fresh)).status).toBe(201);
  });

  (ON_POSTGRES ? describe : describe.skip)('two instances on one database', () => {
    let b: TestApp;
    let baseB: string;
    beforeAll(async () => {
      b = await startTestApp({ env: { TRUST_PROXY: 'true', JWT_SECRET: app.t.jwtSecret } });
      baseB = await listen(b.app.getHttpServer());
    });
    afterAll(async () => {
      await b?.close();
    });

    /** Polls instance B until `use` is refused there, for a few seconds at most; the README states how fast. */
    async function refusedOnB(f: Fixture, held: Held, name: string): Promise<{ refused: boolean; problem?: string }> {
      const { protocol, use } = USES[name];
      const onB = { ...f, base: baseB };
      const deadline = Date.now() + 5000;
      for (;;) {
        const res = await use(onB, held);
        if (isRefused(protocol, res)) return { refused: true, problem: badInputProblem(protocol, res) };
        if (Date.now() > deadline) return { refused: false };
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    it.each(CHANGES.map((c) => [c.change, c] as const))('%s made on A is refused on B', async (_name, { ends, make }) => {
      const f = await fixture(app.t, app.base);
      const held = await logInEverywhere(app.t, f);
      // B serves every credential first, so that whatever it caches is warm
      const onB = await judge({ ...f, base: baseB }, held);
      expect(refusedOnly(onB)).toEqual(Object.fromEntries(ALL.map((u) => [u, false])));

      await make(f);
      for (const name of ends) expect({ name, ...(await refusedOnB(f, held, name)) }).toEqual({ name, refused: true, problem: undefined });
    });
  });
});
