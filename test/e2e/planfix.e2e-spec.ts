import { type Server } from 'node:http';
import { Agent } from 'node:http';
import { createHash } from 'node:crypto';
import { TasksService } from '#projects';
import { StoreService } from '#store';
import { DocumentedClient } from '../clients/documented-client.js';
import { exchange } from '../clients/http-transport.js';
import { LegacyJsClient } from '../clients/legacy-js-client.js';
import { admin, unique } from '../factories/admin.factory.js';
import { plansync } from '../factories/plansync.factory.js';
import {
  addUser,
  answer,
  expectError,
  listen,
  ok,
  planfixAccount,
  tokenCall,
  xmlCall,
  type PlanfixAccount,
} from '../factories/planfix.factory.js';
import { ON_POSTGRES, startTestApp, type TestApp } from '../support/test-app.js';
import { TcpProxy } from '../support/tcp-proxy.js';

jest.setTimeout(120_000);

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

describe('Planfix XML API', () => {
  let t: TestApp;
  let server: Server;
  let base: string;
  let store: StoreService;

  beforeAll(async () => {
    // Client addresses come from X-Forwarded-For, so that each test has its own failed-attempt budget.
    t = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    server = t.app.getHttpServer();
    base = await listen(server);
    store = t.app.get(StoreService);
  });
  afterAll(() => t.close());

  const call = (acct: { slug: string; key: string }, method: string, inner = '', token?: string) =>
    tokenCall(base, acct, method, inner, token);
  const legacy = (acct: PlanfixAccount, extra: { token?: string; privateKey?: string } = {}) =>
    new LegacyJsClient({ url: `${base}/xml/`, account: acct.slug, apiKey: acct.key, ...extra });
  const documented = (acct: PlanfixAccount, token = acct.key) =>
    new DocumentedClient({ url: `${base}/xml`, account: acct.slug, apiKey: acct.key, token });

  async function addTask(acct: PlanfixAccount, inner: string): Promise<{ id: number; general: number }> {
    const r = ok(await call(acct, 'task.add', `<task>${inner}</task>`));
    return { id: Number(r.task.id), general: Number(r.task.general) };
  }

  async function addProject(acct: PlanfixAccount, inner: string): Promise<number> {
    return Number(ok(await call(acct, 'project.add', `<project>${inner}</project>`)).project.id);
  }

  describe('transport (docs/planfix.md)', () => {
    it('serves /xml/ and /xml for any method that carries a body, never redirecting', async () => {
      const acct = await planfixAccount(server);
      const body = `<request method="user.get"><account>${acct.slug}</account></request>`;
      for (const path of ['/xml/', '/xml', '/xml/?foo=bar', '/xml?x=1']) {
        for (const method of ['POST', 'GET', 'PUT']) {
          const res = await xmlCall(base, body, { path, method, auth: `${acct.key}:${acct.key}` });
          expect(ok(res).user.login).toBe(acct.username);
        }
      }
    });

    it('reads raw XML whatever the Content-Type: none, XML, text, a form or JSON by mistake', async () => {
      const acct = await planfixAccount(server);
      const body = `<request method="user.get"><account>${acct.slug}</account></request>`;
      for (const contentType of [
        undefined,
        'application/xml',
        'text/xml; charset=utf-8',
        'application/x-www-form-urlencoded',
        'application/json',
        'text/plain',
        'application/octet-stream',
      ]) {
        expect(ok(await xmlCall(base, body, { contentType, auth: `${acct.key}:${acct.key}` })).user.login).toBe(acct.username);
      }
      // what the global JSON parser would choke on is still our 0003, in XML
      expectError(await xmlCall(base, '{"not": "xml"}', { contentType: 'application/json', auth: `${acct.key}:${acct.key}` }), '0003');
      expectError(await xmlCall(base, '{broken json', { contentType: 'application/json' }), '0003');
    });

    it('answers 0003 to a request without a body (a browser GET, OPTIONS, HEAD-less probes)', async () => {
      for (const method of ['GET', 'OPTIONS', 'DELETE', 'POST']) expectError(await xmlCall(base, undefined, { method }), '0003');
    });

    it('answers XML with the declaration first, 200, the XML content type and the headers on every answer', async () => {
      const acct = await planfixAccount(server);
      const res = await call(acct, 'taskStatus.getSetList');
      expect(res.text).toBe(
        '<?xml version="1.0" encoding="UTF-8"?>\n<response status="ok"><taskStatusSets totalCount="1" count="1"><taskStatusSet><id>1</id><name>Default process</name></taskStatusSet></taskStatusSets></response>',
      );
      answer(res);
      expect(res.headers['x-ratelimit-remaining']).toBe('49999');
    });

    it('answers a body over 256 KiB with 0003, reads it to the end and keeps the connection', async () => {
      const acct = await planfixAccount(server);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const big = `<request method="user.get"><account>${acct.slug}</account><x>${'a'.repeat(300 * 1024)}</x></request>`;
        const auth = `Basic ${Buffer.from(`${acct.key}:${acct.key}`).toString('base64')}`;
        const first = await exchange(`${base}/xml/`, { method: 'POST', headers: { Authorization: auth }, body: big, agent });
        expectError(first, '0003', 'request body too large');
        const second = await exchange(`${base}/xml/`, {
          method: 'POST',
          headers: { Authorization: auth },
          body: `<request method="user.get"><account>${acct.slug}</account></request>`,
          agent,
        });
        expect(ok(second).user.login).toBe(acct.username);
      } finally {
        agent.destroy();
      }
    });

    it('never answers 304, whatever validators a GET carries', async () => {
      const acct = await planfixAccount(server);
      const body = `<request method="user.get"><account>${acct.slug}</account></request>`;
      const first = await xmlCall(base, body, { method: 'GET', auth: `${acct.key}:${acct.key}` });
      const again = await xmlCall(base, body, {
        method: 'GET',
        auth: `${acct.key}:${acct.key}`,
        headers: { 'If-None-Match': String(first.headers.etag ?? '*') },
      });
      expect(ok(again).user.login).toBe(acct.username);
    });

    it('answers unknown paths under /xml/ in XML too', async () => {
      expectError(await xmlCall(base, '<request method="user.get"/>', { path: '/xml/nothing' }), '0008');
    });
  });

  describe('authentication (docs/planfix.md, checklist 1, 3, 6, 13)', () => {
    it('logs in with GET, no Content-Type and key:x; the sid is 32 lowercase hex; e-mail logins in any case work too', async () => {
      const acct = await planfixAccount(server);
      const client = legacy(acct);
      const login = await client.login(acct.username, acct.password);
      expect(login.raw.status).toBe(200);
      expect(login.body.$.status).toBe('ok');
      expect(client.sid).toMatch(/^[0-9a-f]{32}$/);
      const byEmail = legacy(acct);
      await byEmail.login(acct.email.toUpperCase(), acct.password);
      expect(byEmail.sid).toMatch(/^[0-9a-f]{32}$/);
      expect(byEmail.sid).not.toBe(client.sid);
      // the sid itself is never stored
      const [{ n }] = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM xml_sessions WHERE encode(sid_sha256, 'hex') = $1`, [
        client.sid,
      ]);
      expect(n).toBe(0);
    });

    it('with the sid (password x, a junk signature) adds a project and lists it as general 1 (checklist 2)', async () => {
      const acct = await planfixAccount(server);
      const client = legacy(acct, { privateKey: 'not-the-real-key' });
      await client.login(acct.username, acct.password);
      const added = await client.call('project.add', { project: { title: 'Riverside Tower' } });
      expect(added.body.$.status).toBe('ok');
      const listed = await client.call('project.getList', {});
      expect(listed.raw.text).toContain('<projects totalCount="1" count="1">');
      expect(listed.body.projects.project.general).toBe('1');
      // no answer but auth.login carries a top-level sid: the client keeps its session
      expect(listed.body.sid).toBeUndefined();
    });

    it("refuses a username in another case (usernames are exact), a wrong password and other accounts' users with 1001", async () => {
      const acct = await planfixAccount(server);
      const other = await planfixAccount(server);
      expectError((await legacy(acct).login(acct.username.toUpperCase(), acct.password)).raw, '1001');
      expectError((await legacy(acct).login(acct.username, 'wrong password!')).raw, '1001');
      expectError((await legacy(acct).login(other.username, other.password)).raw, '1001');
      expectError((await legacy(acct).login('', '')).raw, '1001');
      expectError(await call(acct, 'auth.login', `<login>${acct.username}</login>`), '0009');
    });

    it('locks a login for 15 minutes after 10 wrong passwords (0007), even with the right one then', async () => {
      const acct = await planfixAccount(server);
      for (let i = 0; i < 10; i++) expectError((await legacy(acct).login(acct.username, `wrong-${i}`)).raw, '1001');
      expectError((await legacy(acct).login(acct.username, 'wrong-10')).raw, '0007', 'too many failed attempts');
      expectError((await legacy(acct).login(acct.username, acct.password)).raw, '0007');
    });

    it("works in token mode with the Basic key itself or another user's key: user.get names the token's user", async () => {
      const acct = await planfixAccount(server);
      const bob = await addUser(server, acct.slug, unique('bob'));
      expect(ok(await call(acct, 'user.get')).user.login).toBe(acct.username);
      expect(ok(await call(acct, 'user.get', '', bob.key)).user.login).toBe(bob.username);
      const viaClient = await documented(acct, bob.key).call('user.get');
      expect(viaClient.body.user.role).toBe('USER');
    });

    it('answers each credential problem with its code (checklist 6)', async () => {
      const acct = await planfixAccount(server);
      const other = await planfixAccount(server);
      const body = (inner = '') => `<request method="user.get"><account>${acct.slug}</account>${inner}</request>`;
      expectError(await xmlCall(base, body()), '0001'); // no Basic
      expectError(await xmlCall(base, body(), { auth: 'psk_unknown:x' }), '0001');
      // another last character, whatever the key's own is
      const wrongKey = `${acct.key.slice(0, -1)}${acct.key.endsWith('Z') ? 'Y' : 'Z'}`;
      expectError(await xmlCall(base, body(), { auth: `${wrongKey}:x` }), '0001');
      expectError(await xmlCall(base, body(), { headers: { Authorization: 'Basic !!!' } }), '0001');
      expectError(await xmlCall(base, body(), { auth: `${other.key}:${other.key}` }), '0001'); // B's key for A
      expectError(
        await xmlCall(base, `<request method="user.get"><account>no-such-${acct.slug}</account></request>`, { auth: `${acct.key}:x` }),
        '0004',
      );
      expectError(await xmlCall(base, `<request method="user.get"></request>`, { auth: `${acct.key}:x` }), '0004');
      expectError(await xmlCall(base, body('<sid>0123456789abcdef0123456789abcdef</sid>'), { auth: `${acct.key}:x` }), '0005');
      expectError(await xmlCall(base, body('<sid>not-a-sid</sid>'), { auth: `${acct.key}:x` }), '0005');
      expectError(await xmlCall(base, body(), { auth: `${acct.key}:x` }), '0012');
      expectError(await xmlCall(base, body(), { auth: `${acct.key}:X` }), '0012');
      expectError(await xmlCall(base, body(), { auth: `${acct.key}:` }), '0012');
      expectError(await xmlCall(base, body(), { auth: `${acct.key}:psk_nope` }), '0012');
      expectError(await xmlCall(base, body(), { auth: `${acct.key}:${other.key}` }), '0012'); // another account's token
    });

    it("keeps sessions in their account: A's sid at B is 0005 (checklist 13)", async () => {
      const a = await planfixAccount(server);
      const b = await planfixAccount(server);
      const client = legacy(a);
      await client.login(a.username, a.password);
      expectError(
        await xmlCall(base, `<request method="user.get"><account>${b.slug}</account><sid>${client.sid}</sid></request>`, {
          auth: `${b.key}:x`,
        }),
        '0005',
      );
    });

    it('ends a session after one hour (0005, so clients log in again), and at once when its key is revoked or its user deactivated', async () => {
      const acct = await planfixAccount(server);
      const client = legacy(acct);
      await client.login(acct.username, acct.password);
      expect((await client.call('user.get')).body.$.status).toBe('ok');
      await store.query(
        `UPDATE xml_sessions SET expires_at = now() - interval '1 second' WHERE user_id IN (SELECT id FROM users WHERE username = $1)`,
        [acct.username],
      );
      expectError((await client.call('user.get')).raw, '0005');

      // a session opened with a second key dies with that key; the Basic key of the call is another one
      const second = (await admin(server).post(`/admin/accounts/${acct.slug}/users/${acct.username}/keys`, { name: 'second' }).expect(201))
        .body.key as string;
      const viaSecond = new LegacyJsClient({ url: `${base}/xml/`, account: acct.slug, apiKey: second });
      await viaSecond.login(acct.username, acct.password);
      const sid = viaSecond.sid!;
      const withPrimary = () =>
        xmlCall(base, `<request method="user.get"><account>${acct.slug}</account><sid>${sid}</sid></request>`, { auth: `${acct.key}:x` });
      ok(await withPrimary());
      await admin(server).delete(`/admin/accounts/${acct.slug}/users/${acct.username}/keys/second`).expect(200);
      expectError(await withPrimary(), '0005');

      const bob = await addUser(server, acct.slug, unique('bob'), 'admin');
      const bobClient = legacy(acct);
      await bobClient.login(bob.username, acct.password);
      ok((await bobClient.call('user.get')).raw);
      await admin(server).patch(`/admin/accounts/${acct.slug}/users/${bob.username}`, { active: false }).expect(200);
      expectError((await bobClient.call('user.get')).raw, '0005');
    });

    it("refuses a disabled account's key (0001) and the free plan (0022, nothing left today)", async () => {
      const acct = await planfixAccount(server);
      await admin(server).patch(`/admin/accounts/${acct.slug}`, { status: 'disabled' }).expect(200);
      expectError(await call(acct, 'user.get'), '0001');
      const free = await planfixAccount(server, { plan: 'free' });
      const res = await call(free, 'user.get');
      expectError(res, '0022');
      expect(res.headers['x-ratelimit-remaining']).toBe('0');
    });

    it('answers 0007 to a client address after 300 failed attempts in a minute, without looking further', async () => {
      const acct = await planfixAccount(server);
      const ip = `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`; // counters outlive a run on PostgreSQL
      const bad = `<request method="user.get"><account>${acct.slug}</account></request>`;
      const codes: string[] = [];
      for (let i = 0; i < 301; i += 25) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(25, 301 - i) }, () => xmlCall(base, bad, { ip, auth: 'psk_wrong:x' })),
        );
        codes.push(...batch.map((r) => answer(r).code as string));
      }
      expect(codes.filter((c) => c === '0001')).toHaveLength(300);
      expect(codes.filter((c) => c === '0007')).toHaveLength(1);
      expectError(await xmlCall(base, bad, { ip, auth: `${acct.key}:${acct.key}` }), '0007', 'too many failed attempts');
      ok(await xmlCall(base, bad, { auth: `${acct.key}:${acct.key}` })); // another address is not affected
    });
  });

  describe('signature (docs/planfix.md, checklist 16)', () => {
    it('ignores absent or wrong signatures by default', async () => {
      const acct = await planfixAccount(server);
      ok(await call(acct, 'user.get', '<signature>0000</signature>'));
      ok(await call(acct, 'user.get'));
    });

    it('under strict checking accepts the right MD5 and answers 0006 to a wrong or missing one', async () => {
      const acct = await planfixAccount(server);
      await admin(server)
        .patch(`/admin/accounts/${acct.slug}`, { settings: { planfix: { strict_signature: true } } })
        .expect(422);
      const issued = await admin(server).post(`/admin/accounts/${acct.slug}/planfix/signing-key`).expect(201);
      expect(issued.body.signing_key).toMatch(/^[0-9a-f]{32}$/);
      expect(issued.body.created_at).toBeDefined();
      const key = issued.body.signing_key as string;
      const shown = await admin(server).get(`/admin/accounts/${acct.slug}`).expect(200);
      expect(shown.body.settings.planfix.signing_key_set).toBe(true);
      expect(JSON.stringify(shown.body)).not.toContain(key);
      await admin(server)
        .patch(`/admin/accounts/${acct.slug}`, { settings: { planfix: { strict_signature: true } } })
        .expect(200);

      const inner = '<task><general>5</general></task>';
      const right = md5(`task.get${acct.slug}5${key}`);
      expectError(await call(acct, 'task.get', `${inner}<signature>${right}</signature>`), '3001'); // past the signature
      expectError(await call(acct, 'task.get', `${inner}<signature>${md5('nope')}</signature>`), '0006');
      expectError(await call(acct, 'task.get', inner), '0006');
      // the legacy client's signature matches when its parameters are plain values
      const client = legacy(acct, { privateKey: key, token: acct.key });
      expect((await client.call('user.get', {})).body.$.status).toBe('ok');

      await admin(server).delete(`/admin/accounts/${acct.slug}/planfix/signing-key`).expect(409);
      await admin(server)
        .patch(`/admin/accounts/${acct.slug}`, { settings: { planfix: { strict_signature: false } } })
        .expect(200);
      expect((await admin(server).delete(`/admin/accounts/${acct.slug}/planfix/signing-key`).expect(200)).body).toEqual({ deleted: true });
      await admin(server).delete(`/admin/accounts/${acct.slug}/planfix/signing-key`).expect(404);
      ok(await call(acct, 'user.get'));
    });
  });

  describe('limits (docs/planfix.md, checklist 14, 15)', () => {
    it('counts a daily quota of 3 exactly: remaining 2, 1, 0, then 0007 (not counted); usage shows 3', async () => {
      const acct = await planfixAccount(server, { planfix: { daily_quota: 3 } });
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await call(acct, i === 1 ? 'project.frobnicate' : 'user.get'); // any outcome past the key is counted
        answer(res);
        remaining.push(String(res.headers['x-ratelimit-remaining']));
      }
      expect(remaining).toEqual(['2', '1', '0']);
      const refused = await call(acct, 'user.get');
      expectError(refused, '0007', 'daily request limit exceeded');
      expect(refused.headers['x-ratelimit-remaining']).toBe('0');
      expect(refused.headers['retry-after']).toBeUndefined();
      const usage = await admin(server).get(`/admin/accounts/${acct.slug}/planfix/usage`).expect(200);
      expect(usage.body).toEqual({ day: expect.stringMatching(/^\d{4}-\d\d-\d\d$/), timezone: 'UTC', count: 3, quota: 3, remaining: 0 });
      // the day's count survives turning the per-second bucket on
      await admin(server)
        .patch(`/admin/accounts/${acct.slug}`, { settings: { planfix: { rate_per_second: 5 } } })
        .expect(200);
      expectError(await call(acct, 'user.get'), '0007', 'daily request limit exceeded');
    });

    it('holds a default account to 1 request/second with a burst of 10: of 20 parallel calls at least 10 pass, the rest 0007', async () => {
      const acct = await planfixAccount(server, { planfix: { rate_per_second: null } });
      const shown = await admin(server).get(`/admin/accounts/${acct.slug}`).expect(200);
      expect(shown.body.settings.planfix).toMatchObject({ rate_per_second: 1, burst: 10 });
      const answers = await Promise.all(Array.from({ length: 20 }, () => call(acct, 'user.get')));
      const codes = answers.map((r) => (answer(r)['@status'] === 'ok' ? 'ok' : (answer(r).code as string)));
      expect(codes.filter((c) => c === 'ok').length).toBeGreaterThanOrEqual(10);
      expect(codes.filter((c) => c === 'ok').length).toBeLessThanOrEqual(12);
      expect(codes.filter((c) => c !== 'ok').every((c) => c === '0007')).toBe(true);
      const refused = answers.find((r) => answer(r)['@status'] === 'error')!;
      expect(answer(refused).message).toBe('request rate exceeded');
    });

    (ON_POSTGRES ? it : it.skip)('counts the daily quota exactly across two instances on one database', async () => {
      const acct = await planfixAccount(server, { planfix: { daily_quota: 20 } });
      const second = await startTestApp({ env: { TRUST_PROXY: 'true' } });
      try {
        const otherBase = await listen(second.app.getHttpServer());
        const answers = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            xmlCall(i % 2 ? otherBase : base, `<request method="user.get"><account>${acct.slug}</account></request>`, {
              auth: `${acct.key}:${acct.key}`,
            }),
          ),
        );
        const statuses = answers.map((r) => answer(r)['@status']);
        expect(statuses.filter((s) => s === 'ok')).toHaveLength(20);
        expect(answers.filter((r) => answer(r)['@status'] === 'error').every((r) => answer(r).code === '0007')).toBe(true);
        expect((await admin(server).get(`/admin/accounts/${acct.slug}/planfix/usage`).expect(200)).body.count).toBe(20);
      } finally {
        await second.close();
      }
    });

    it("takes the plan's figure: 20,000 basic, 50,000 pro, 100,000 premium", async () => {
      for (const [plan, quota] of [
        ['basic', 20_000],
        ['pro', 50_000],
        ['premium', 100_000],
      ] as const) {
        const acct = await planfixAccount(server, { plan });
        expect((await call(acct, 'user.get')).headers['x-ratelimit-remaining']).toBe(String(quota - 1));
      }
    });

    it('answers X-RateLimit-Remaining 0 before the key is known', async () => {
      expect((await xmlCall(base, 'junk')).headers['x-ratelimit-remaining']).toBe('0');
    });
  });

  describe('projects (docs/planfix.md, checklist 13, 17)', () => {
    it("adds a project with every field, gets it in the spec's element order with its people", async () => {
      const acct = await planfixAccount(server);
      const bob = await addUser(server, acct.slug, unique('bob'));
      const bobNumber = Number(ok(await call(acct, 'user.get', '', bob.key)).user.id);
      const me = Number(ok(await call(acct, 'user.get')).user.id);
      const client = Number(
        ok(await call(acct, 'contact.add', '<contact><name>Acme Holdings</name><isCompany>1</isCompany></contact>')).contact.id,
      );
      const parent = await addProject(acct, '<title>Campus</title>');
      const id = await addProject(
        acct,
        `<title>Riverside Tower</title><description>&lt;p&gt;Phase 1&lt;/p&gt;</description><owner><id>${bobNumber}</id></owner>
         <client><id>${client}</id></client><status>DRAFT</status><hidden>1</hidden><hasEndDate>1</hasEndDate><endDate>31-12-2030</endDate>
         <parent><id>${parent}</id></parent><managers><id>${me}</id></managers><workers><id>${bobNumber}</id><id>${me}</id></workers><auditors/>`.replace(
          /\n\s*/g,
          '',
        ),
      );
      const got = await call(acct, 'project.get', `<project><id>${id}</id></project>`);
      const p = ok(got).project;
      expect(Object.keys(p)).toEqual([
        'id',
        'general',
        'title',
        'description',
        'owner',
        'client',
        'group',
        'parent',
        'template',
        'status',
        'hidden',
        'hasEndDate',
        'endDate',
        'beginDate',
        'taskCount',
        'isOverdued',
        'isCloseToDeadline',
        'customData',
        'workers',
        'members',
        'auditors',
      ]);
      expect(got.text).toContain('<description>&lt;p&gt;Phase 1&lt;/p&gt;</description>');
      expect(p).toMatchObject({
        general: '2',
        title: 'Riverside Tower',
        owner: { id: String(bobNumber), name: bob.username },
        client: { id: String(client), name: 'Acme Holdings' },
        parent: { id: String(parent) },
        status: 'DRAFT',
        hidden: '1',
        hasEndDate: '1',
        endDate: '31-12-2030',
        beginDate: expect.stringMatching(/^\d\d-\d\d-\d{4}$/),
        taskCount: '0',
      });
      expect(p.workers.users.user.map((u: { id: string }) => Number(u.id)).sort()).toEqual([me, bobNumber].sort());
      expect(p.members.users.user.map((u: { id: string }) => Number(u.id))).toEqual([me]);
      expect(got.text).toContain('<auditors><users/><groups/></auditors>');
      // the same row Planpoint serves: an ObjectId, the slug as hostName, published
      const [row] = await store.query<{ public_id: string; slug: string; published: boolean; paused: boolean }>(
        `SELECT public_id, slug, published, paused FROM projects WHERE id = $1`,
        [id],
      );
      expect(row).toEqual({ public_id: expect.stringMatching(/^[0-9a-f]{24}$/), slug: 'riverside-tower', published: true, paused: false });
    });

    it('makes slugs once from the title, -2 when taken, project-<general> when empty; <hostName> sets one (0016 when bad or taken)', async () => {
      const acct = await planfixAccount(server);
      const slugOf = async (id: number) => (await store.query<{ slug: string }>(`SELECT slug FROM projects WHERE id = $1`, [id]))[0].slug;
      const a = await addProject(acct, '<title>Tower A</title>');
      const b = await addProject(acct, '<title>Tower  A!</title>');
      const c = await addProject(acct, '<title>Жилой комплекс</title>');
      expect([await slugOf(a), await slugOf(b), await slugOf(c)]).toEqual(['tower-a', 'tower-a-2', 'project-3']);
      ok(await call(acct, 'project.update', `<project><id>${a}</id><title>Renamed</title></project>`));
      expect(await slugOf(a)).toBe('tower-a');
      const d = await addProject(acct, '<title>Other</title><hostName>Harbour-View</hostName>');
      expect(await slugOf(d)).toBe('harbour-view');
      expectError(await call(acct, 'project.add', '<project><title>X</title><hostName>harbour-view</hostName></project>'), '0016');
      expectError(await call(acct, 'project.add', '<project><title>X</title><hostName>My Site!</hostName></project>'), '0016');
      expectError(await call(acct, 'project.update', `<project><id>${a}</id><hostName>harbour-view</hostName></project>`), '0016');
      ok(await call(acct, 'project.update', `<project><id>${d}</id><hostName>harbour-view</hostName></project>`));
    });

    it('updates only what is given; an empty element clears; 2001 for unknown ids', async () => {
      const acct = await planfixAccount(server);
      const id = await addProject(acct, '<title>Old</title><description>keep me</description>');
      ok(await call(acct, 'project.update', `<project><general>1</general><title>New</title></project>`));
      let p = ok(await call(acct, 'project.get', `<project><id>${id}</id></project>`)).project;
      expect([p.title, p.description]).toEqual(['New', 'keep me']);
      ok(await call(acct, 'project.update', `<project><id>${id}</id><description/></project>`));
      p = ok(await call(acct, 'project.get', `<project><id>${id}</id></project>`)).project;
      expect(p.description).toBe('');
      expectError(await call(acct, 'project.update', `<project><id>999999999</id><title>x</title></project>`), '2001');
      expectError(await call(acct, 'project.get', `<project><id>0</id></project>`), '2001');
      expectError(await call(acct, 'project.get', `<project><id>-4</id></project>`), '2001');
      expectError(await call(acct, 'project.get', `<project/>`), '0009');
      expectError(await call(acct, 'project.get'), '0009');
    });

    it('checks what a project names: users 6004, contacts 8002, parents 2001, loops 0016, end dates 0017', async () => {
      const acct = await planfixAccount(server);
      const top = await addProject(acct, '<title>Top</title>');
      const child = await addProject(acct, `<title>Child</title><parent><id>${top}</id></parent>`);
      expectError(await call(acct, 'project.add', '<project><title>x</title><owner><id>99999999</id></owner></project>'), '6004');
      expectError(await call(acct, 'project.add', '<project><title>x</title><workers><id>99999999</id></workers></project>'), '6004');
      expectError(await call(acct, 'project.add', '<project><title>x</title><client><id>99999999</id></client></project>'), '8002');
      expectError(await call(acct, 'project.add', '<project><title>x</title><parent><id>99999999</id></parent></project>'), '2001');
      expectError(await call(acct, 'project.update', `<project><id>${top}</id><parent><id>${child}</id></parent></project>`), '0016');
      expectError(await call(acct, 'project.update', `<project><id>${top}</id><parent><id>${top}</id></parent></project>`), '0016');
      expectError(await call(acct, 'project.add', '<project><title>x</title><hasEndDate>1</hasEndDate></project>'), '0017');
      expectError(await call(acct, 'project.add', '<project><description>no title</description></project>'), '0009');
      expectError(
        await call(acct, 'project.add', '<project><title>x</title><workers><groups><id>3</id></groups></workers></project>'),
        '5001',
      );
      expectError(await call(acct, 'project.add'), '0009');
    });

    it('lists by target, status, client, user and sort; pages; template is empty', async () => {
      const acct = await planfixAccount(server);
      const bob = await addUser(server, acct.slug, unique('bob'));
      const bobNumber = Number(ok(await call(acct, 'user.get', '', bob.key)).user.id);
      const client = Number(
        ok(await call(acct, 'contact.add', '<contact><name>Client Co</name><isCompany>1</isCompany></contact>')).contact.id,
      );
      await addProject(acct, '<title>Beta</title>');
      await addProject(acct, `<title>alpha</title><status>COMPLETED</status><client><id>${client}</id></client>`);
      await addProject(acct, `<title>Gamma</title><workers><id>${bobNumber}</id></workers>`);
      await call(acct, 'project.add', '<project><title>Bob owns</title></project>', bob.key);
      const titles = async (inner: string, token?: string) => {
        const r = ok(await call(acct, 'project.getList', inner, token));
        return ((r.projects.project ?? []) as { title: string }[]).map((p) => p.title);
      };
      expect(await titles('')).toEqual(['Beta', 'alpha', 'Gamma', 'Bob owns']);
      expect(await titles('<sortType>NUMBER_DESC</sortType>')).toEqual(['Bob owns', 'Gamma', 'alpha', 'Beta']);
      expect(await titles('<sortType>TITLE_ASC</sortType>')).toEqual(['alpha', 'Beta', 'Bob owns', 'Gamma']);
      expect(await titles('<sortType>TITLE_DESC</sortType>')).toEqual(['Gamma', 'Bob owns', 'Beta', 'alpha']);
      expect(await titles('<status>COMPLETED</status>')).toEqual(['alpha']);
      expect(await titles(`<client><id>${client}</id></client>`)).toEqual(['alpha']);
      expect(await titles('<target>out</target>', bob.key)).toEqual(['Bob owns']);
      expect(await titles('<target>in</target>', bob.key)).toEqual(['Gamma', 'Bob owns']);
      expect(await titles(`<user><id>${bobNumber}</id></user>`)).toEqual(['Gamma', 'Bob owns']);
      expect(await titles(`<user><id>${bobNumber}</id></user>`, bob.key)).toHaveLength(4); // user/id is admin-only
      expect((await call(acct, 'project.getList', '<target>template</target>')).text).toContain(
        '<projects totalCount="0" count="0"/></response>',
      );
      const page = await call(acct, 'project.getList', '<pageCurrent>2</pageCurrent><pageSize>3</pageSize>');
      expect(page.text).toContain('<projects totalCount="4" count="1">');
      expect((await call(acct, 'project.getList', '<pageCurrent>0</pageCurrent>')).text).toContain(
        '<projects totalCount="4" count="0"/></response>',
      );
      expectError(await call(acct, 'project.getList', '<target>nobody</target>'), '0015');
      expectError(await call(acct, 'project.getList', '<filters><filter><type>1</type></filter></filters>'), '0018');
      ok(await call(acct, 'project.getList', '<filters/>'));
    });

    it("keeps accounts apart: B's get and update of A's project are 2001 and change nothing; B's first general is 1 (checklist 13)", async () => {
      const a = await planfixAccount(server);
      const b = await planfixAccount(server);
      const id = await addProject(a, '<title>A tower</title>');
      expectError(await call(b, 'project.get', `<project><id>${id}</id></project>`), '2001');
      expectError(await call(b, 'project.update', `<project><id>${id}</id><title>hijacked</title></project>`), '2001');
      expect(ok(await call(a, 'project.get', `<project><id>${id}</id></project>`)).project.title).toBe('A tower');
      const bFirst = await addProject(b, '<title>B first</title>');
      expect(ok(await call(b, 'project.get', `<project><id>${bFirst}</id></project>`)).project.general).toBe('1');
      expect(ok(await call(b, 'project.get', '<project><general>1</general></project>')).project.title).toBe('B first');
    });
  });

  describe('tasks (docs/planfix.md, checklist 8-10)', () => {
    it('ends an empty list with the self-closing element right before </response> (checklist 8)', async () => {
      const acct = await planfixAccount(server);
      const res = await call(acct, 'task.getList');
      expect(res.text).toMatch(/<tasks totalCount="0" count="0"\/><\/response>$/);
    });

    it('pages seven tasks by two: 2, 2, 2, 1, then none; generals 1, 2 first; count only; 0021 over 100 (checklist 9)', async () => {
      const acct = await planfixAccount(server);
      for (let i = 1; i <= 7; i++) await addTask(acct, `<title>Task ${i}</title>`);
      const seen: string[] = [];
      const counts: number[] = [];
      for (let page = 1; page <= 4; page++) {
        const r = ok(await call(acct, 'task.getList', `<pageCurrent>${page}</pageCurrent><pageSize>2</pageSize>`));
        expect(r.tasks['@totalCount']).toBe('7');
        counts.push(r.tasks.task.length);
        seen.push(...r.tasks.task.map((x: { id: string }) => x.id));
        if (page === 1) expect(r.tasks.task.map((x: { general: string }) => x.general)).toEqual(['1', '2']);
      }
      expect(counts).toEqual([2, 2, 2, 1]);
      expect(new Set(seen).size).toBe(7);
      expect((await call(acct, 'task.getList', '<pageCurrent>5</pageCurrent><pageSize>2</pageSize>')).text).toContain(
        '<tasks totalCount="7" count="0"/></response>',
      );
      expect((await call(acct, 'task.getList', '<pageCurrent>0</pageCurrent>')).text).toContain(
        '<tasks totalCount="7" count="0"/></response>',
      );
      expectError(await call(acct, 'task.getList', '<pageSize>101</pageSize>'), '0021');
      expectError(await call(acct, 'task.getList', '<pageSize>-1</pageSize>'), '0015');
      expectError(await call(acct, 'task.getList', '<pageCurrent>-1</pageCurrent>'), '0015');
      ok(await call(acct, 'task.getList', '<pageSize>100</pageSize>'));
    });

    it("adds a task with every field and gets it in the spec's order with members and auditors", async () => {
      const acct = await planfixAccount(server, { planfix: { timezone: 'Europe/Berlin' } });
      const bob = await addUser(server, acct.slug, unique('bob'));
      const bobNumber = Number(ok(await call(acct, 'user.get', '', bob.key)).user.id);
      const me = Number(ok(await call(acct, 'user.get')).user.id);
      const project = await addProject(acct, '<title>Harbour</title>');
      const person = Number(ok(await call(acct, 'contact.add', '<contact><name>Jane</name><lastName>Roe</lastName></contact>')).contact.id);
      const parent = await addTask(acct, '<title>Parent</title>');
      const created = await addTask(
        acct,
        `<title>Pour the slab</title><description>&lt;b&gt;wet&lt;/b&gt;</description><importance>HIGH</importance><status>DRAFT</status>
         <checkResult>1</checkResult><owner><id>${bobNumber}</id></owner><parent><id>${parent.id}</id></parent><project><id>${project}</id></project>
         <client><id>${person}</id></client><beginDateTime>01-03-2026 08:30</beginDateTime>
         <startDateIsSet>1</startDateIsSet><startDate>02-03-2026</startDate><startTimeIsSet>1</startTimeIsSet><startTime>09:00</startTime>
         <endDateIsSet>1</endDateIsSet><endDate>20-03-2026</endDate><endTimeIsSet>0</endTimeIsSet>
         <durationIsSet>1</durationIsSet><duration>3</duration><durationUnit>2</durationUnit><isSummary>1</isSummary>
         <workers><users><id>${me}</id></users></workers><members><users><id>${bobNumber}</id></users></members>
         <auditors><users><id>${me}</id><id>${bobNumber}</id></users></auditors><customData><customValue><id>1</id><value>x</value></customValue></customData>`.replace(
          /\n\s*/g,
          '',
        ),
      );
      expect(created.general).toBe(2);
      const got = await call(acct, 'task.get', `<task><id>${created.id}</id></task>`);
      const task = ok(got).task;
      expect(Object.keys(task)).toEqual([
        'id',
        'title',
        'description',
        'importance',
        'status',
        'statusSet',
        'checkResult',
        'type',
        'owner',
        'parent',
        'template',
        'project',
        'client',
        'beginDateTime',
        'startTime',
        'endTime',
        'duration',
        'durationUnit',
        'general',
        'isOverdued',
        'isCloseToDeadline',
        'isNotAcceptedInTime',
        'isSummary',
        'starred',
        'workers',
        'members',
        'auditors',
        'customData',
      ]);
      expect(task).toMatchObject({
        title: 'Pour the slab',
        description: '<b>wet</b>',
        importance: 'HIGH',
        status: '8',
        statusSet: '1',
        checkResult: '1',
        type: 'task',
        owner: { id: String(bobNumber), name: bob.username },
        parent: { id: String(parent.id) },
        project: { id: String(project), title: 'Harbour' },
        client: { id: String(person), name: 'Jane Roe' },
        beginDateTime: '01-03-2026 08:30',
        startTime: '02-03-2026 09:00',
        endTime: '20-03-2026',
        duration: '3',
        durationUnit: '2',
        general: '2',
        isSummary: '1',
        customData: '',
      });
      expect(got.text).toContain('<customData/>');
      expect(task.auditors.users.user).toHaveLength(2);
      // a task list item has no members and auditors
      const listed = ok(await call(acct, 'task.getList', `<parent><id>${parent.id}</id></parent>`)).tasks.task[0];
      expect(listed.members).toBeUndefined();
      expect(listed.workers.users.user[0].id).toBe(String(me));
    });

    it('refuses what a new task cannot be: 0009 without title, 0016 for other statuses, 3003 unknown project, 3006 start after end', async () => {
      const acct = await planfixAccount(server);
      expectError(await call(acct, 'task.add', '<task><description>x</description></task>'), '0009');
      expectError(await call(acct, 'task.add', '<task><title/></task>'), '0009');
      expectError(await call(acct, 'task.add', '<task><title>x</title><status>COMPLETED</status></task>'), '0016');
      expectError(await call(acct, 'task.add', '<task><title>x</title><status>5</status></task>'), '0016');
      expectError(await call(acct, 'task.add', '<task><title>x</title><status>FROZEN</status></task>'), '0015');
      expectError(await call(acct, 'task.add', '<task><title>x</title><importance>LOW</importance></task>'), '0015');
      expectError(await call(acct, 'task.add', '<task><title>x</title><project><id>99999999</id></project></task>'), '3003');
      expectError(await call(acct, 'task.add', '<task><title>x</title><parent><id>99999999</id></parent></task>'), '3001');
      expectError(await call(acct, 'task.add', '<task><title>x</title><client><id>99999999</id></client></task>'), '8002');
      expectError(
        await call(
          acct,
          'task.add',
          '<task><title>x</title><startDateIsSet>1</startDateIsSet><startDate>10-03-2026</startDate><endDateIsSet>1</endDateIsSet><endDate>09-03-2026</endDate></task>',
        ),
        '3006',
      );
      expectError(await call(acct, 'task.add', '<task><title>x</title><startDateIsSet>1</startDateIsSet></task>'), '0017');
      expectError(await call(acct, 'task.add', '<task><title>x</title><endDate>31-02-2026</endDate></task>'), '0015');
      expectError(await call(acct, 'task.add', '<task><title>x</title><durationUnit>7</durationUnit></task>'), '0015');
      expectError(await call(acct, 'task.add', `<task><title>${'x'.repeat(256)}</title></task>`), '0015');
      expectError(await call(acct, 'task.add', '<task><title>a</title><title>b</title></task>'), '0015');
      expectError(await call(acct, 'task.add', '<task><title>x</title><workers><groups><id>1</id></groups></workers></task>'), '5001');
      ok(await call(acct, 'task.add', '<task><title>Delayed</title><status>DELAYED</status></task>'));
      ok(await call(acct, 'task.add', '<task><title>Draft</title><status>8</status></task>'));
    });

    it('treats the empty elements other clients send as absent on add (defaults) and as "clear" on update', async () => {
      const acct = await planfixAccount(server);
      // django-planfix sends every element of its scheme, most of them empty
      const created = await addTask(
        acct,
        '<template></template><title>From Django</title><description></description><importance></importance><status></status><owner><id></id></owner><statusSet></statusSet><checkResult></checkResult><project><id></id></project><startDateIsSet></startDateIsSet><startDate></startDate><startTimeIsSet></startTimeIsSet><startTime></startTime><endDateIsSet></endDateIsSet><endDate></endDate><endTimeIsSet></endTimeIsSet><endTime></endTime><customData><customValue></customValue></customData>',
      );
      const task = ok(await call(acct, 'task.get', `<task><id>${created.id}</id></task>`)).task;
      expect(task).toMatchObject({
        importance: 'AVERAGE',
        status: '1',
        checkResult: '0',
        project: { id: '0' },
        startTime: '',
        endTime: '',
      });
      ok(await call(acct, 'task.update', `<task><id>${created.id}</id><endDate>05-05-2030</endDate></task>`));
      expect(ok(await call(acct, 'task.get', `<task><id>${created.id}</id></task>`)).task.endTime).toBe('05-05-2030');
      ok(await call(acct, 'task.update', `<task><id>${created.id}</id><endDate/></task>`));
      expect(ok(await call(acct, 'task.get', `<task><id>${created.id}</id></task>`)).task.endTime).toBe('');
    });

    it('renames and keeps the description; changes status to ACCEPTED (2) with a STATUSCHANGED action; REJECTED 0016 (checklist 10)', async () => {
      const acct = await planfixAccount(server);
      const created = await addTask(acct, '<title>Before</title><description>keep</description>');
      ok(await call(acct, 'task.update', `<task><id>${created.id}</id><title>After</title></task>`));
      let task = ok(await call(acct, 'task.get', `<task><general>${created.general}</general></task>`)).task;
      expect([task.title, task.description]).toEqual(['After', 'keep']);
      ok(await call(acct, 'task.changeStatus', `<task><id>${created.id}</id></task><status>ACCEPTED</status>`));
      task = ok(await call(acct, 'task.get', `<task><id>${created.id}</id></task>`)).task;
      expect(task.status).toBe('2');
      expectError(await call(acct, 'task.changeStatus', `<task><id>${created.id}</id></task><status>REJECTED</status>`), '0016');
      expectError(await call(acct, 'task.changeStatus', `<task><id>${created.id}</id></task><status>DELAYED</status>`), '0017');
      ok(
        await call(acct, 'task.changeStatus', `<task><id>${created.id}</id></task><status>4</status><dateTime>01-01-2031 10:00</dateTime>`),
      );
      expectError(await call(acct, 'task.changeStatus', `<task><id>${created.id}</id></task>`), '0009');
      expectError(await call(acct, 'task.changeStatus', `<task><id>${created.id}</id></task><status>FROZEN</status>`), '0015');
      expectError(await call(acct, 'task.changeStatus', `<task><id>99999999</id></task><status>2</status>`), '3001');
      const actions = ok(await call(acct, 'action.getList', `<task><id>${created.id}</id></task><sort>asc</sort>`)).actions.action;
      expect(
        actions.map((a: { type: string; statusChange: { oldStatus: string; newStatus: string } }) => [
          a.type,
          a.statusChange.oldStatus,
          a.statusChange.newStatus,
        ]),
      ).toEqual([
        ['STATUSCHANGED', '1', '2'],
        ['STATUSCHANGED', '2', '4'],
      ]);
      expectError(await call(acct, 'task.update', `<task><id>${created.id}</id><status>REJECTED</status></task>`), '0016');
      expectError(await call(acct, 'task.update', `<task><id>99999999</id><title>x</title></task>`), '3001');
      expectError(await call(acct, 'task.update', `<task><id>${created.id}</id><parent><id>${created.id}</id></parent></task>`), '0016');
    });

    it('filters by target, project (with subprojects), parent subtree, status, ACTIVE/OVERDUE/MY and user; sorts', async () => {
      const acct = await planfixAccount(server);
      const bob = await addUser(server, acct.slug, unique('bob'));
      const bobNumber = Number(ok(await call(acct, 'user.get', '', bob.key)).user.id);
      const top = await addProject(acct, '<title>Zeta project</title>');
      const sub = await addProject(acct, `<title>Alpha sub</title><parent><id>${top}</id></parent>`);
      const t1 = await addTask(
        acct,
        `<title>b task</title><project><id>${top}</id></project><importance>HIGH</importance><endDateIsSet>1</endDateIsSet><endDate>01-01-2020</endDate>`,
      );
      const t2 = await addTask(
        acct,
        `<title>A task</title><project><id>${sub}</id></project><parent><id>${t1.id}</id></parent><workers><users><id>${bobNumber}</id></users></workers><endDateIsSet>1</endDateIsSet><endDate>01-01-2099</endDate>`,
      );
      const t3 = await addTask(acct, `<title>c task</title><parent><id>${t2.id}</id></parent><status>DRAFT</status>`);
      const t4 = (await call(acct, 'task.add', '<task><title>d bob</title></task>', bob.key)).text;
      expect(t4).toContain('<general>4</general>');
      const generals = async (inner: string, token?: string) => {
        const r = ok(await call(acct, 'task.getList', inner, token));
        return ((r.tasks.task ?? []) as { general: string }[]).map((x) => Number(x.general));
      };
      expect(await generals('')).toEqual([1, 2, 3, 4]);
      expect(await generals('<target>in</target>', bob.key)).toEqual([2]);
      expect(await generals('<target>out</target>', bob.key)).toEqual([4]);
      expect(await generals('<target>template</target>')).toEqual([]);
      expect(await generals('<target>periodic</target>')).toEqual([]);
      expect(await generals(`<project><id>${top}</id></project>`)).toEqual([1]);
      expect(await generals(`<project><id>${top}</id><withSubprojects>1</withSubprojects></project>`)).toEqual([1, 2]);
      expect(await generals(`<parent><id>${t1.id}</id></parent>`)).toEqual([2, 3]);
      expect(await generals('<status>DRAFT</status>')).toEqual([3]);
      expect(await generals('<status>1</status>')).toEqual([1, 2, 4]);
      expect(await generals('<filter>ACTIVE</filter>')).toEqual([1, 2, 4]);
      expect(await generals('<filter>OVERDUE</filter>')).toEqual([1]);
      expect(await generals('<filter>ACTIVE MY</filter>', bob.key)).toEqual([2, 4]);
      expect(await generals('<filter>OVERDUE MY</filter>', bob.key)).toEqual([]);
      expect(await generals(`<user><id>${bobNumber}</id></user>`)).toEqual([2, 4]);
      expect(await generals(`<user><id>${bobNumber}</id></user>`, bob.key)).toEqual([1, 2, 3, 4]); // admin-only filter
      expect(await generals('<sort>NUMBER_DESC</sort>')).toEqual([4, 3, 2, 1]);
      expect(await generals('<sort>TASKTITLE_ASC</sort>')).toEqual([2, 1, 3, 4]);
      expect(await generals('<sort>IMPORTANCE_DESC</sort>')).toEqual([1, 2, 3, 4]);
      expect(await generals('<sort>DEADLINE_ASC</sort>')).toEqual([1, 2, 3, 4]);
      expect(await generals('<sort>DEADLINE_DESC</sort>')).toEqual([2, 1, 3, 4]);
      expect(await generals('<sort>PROJECT_ASC</sort>')).toEqual([2, 1, 3, 4]);
      expect(await generals('<sort>PROJECT_DESC</sort>')).toEqual([1, 2, 3, 4]);
      expect(ok(await call(acct, 'task.get', `<task><id>${t1.id}</id></task>`)).task.isOverdued).toBe('1');
      expectError(await call(acct, 'task.getList', '<filter>URGENT</filter>'), '0015');
      expectError(await call(acct, 'task.getList', '<sort>RANDOM</sort>'), '0015');
      expectError(await call(acct, 'task.getList', '<filters><filter><type>51</type></filter></filters>'), '0018');
      expect(await generals(`<project><id>999999</id></project>`)).toEqual([]);
      expect(t3.general).toBe(3);
    });

    it('rolls a failed write back, its general number too (docs/planfix.md)', async () => {
      const acct = await planfixAccount(server);
      await addTask(acct, '<title>one</title>');
      expectError(
        await call(acct, 'task.add', '<task><title>two</title><workers><users><id>99999999</id></users></workers></task>'),
        '6004',
      );
      expect((await addTask(acct, '<title>two</title>')).general).toBe(2);
      expect(ok(await call(acct, 'task.getList')).tasks['@totalCount']).toBe('2');
    });

    it("answers another account's task as a missing one (checklist 13)", async () => {
      const a = await planfixAccount(server);
      const b = await planfixAccount(server);
      const task = await addTask(a, '<title>secret</title>');
      expectError(await call(b, 'task.get', `<task><id>${task.id}</id></task>`), '3001');
      expectError(await call(b, 'task.update', `<task><id>${task.id}</id><title>x</title></task>`), '3001');
      expectError(await call(b, 'task.changeStatus', `<task><id>${task.id}</id></task><status>2</status>`), '3001');
      expectError(await call(b, 'action.add', `<action><description>x</description><task><id>${task.id}</id></task></action>`), '3001');
      expectError(await call(b, 'task.add', `<task><title>x</title><parent><id>${task.id}</id></parent></task>`), '3001');
      expectError(await call(a, 'task.get', '<task><id>0</id></task>'), '3001');
      expectError(await call(a, 'task.get'), '0009');
    });
  });

  describe('task statuses (docs/planfix.md)', () => {
    it('lists the one set and its eight statuses; an unknown set is empty; the set id is required', async () => {
      const acct = await planfixAccount(server);
      const list = ok(await call(acct, 'taskStatus.getListOfSet', '<taskStatusSet><id>1</id></taskStatusSet>')).taskStatuses;
      expect(list['@totalCount']).toBe('8');
      expect(list.taskStatus[1]).toEqual({
        id: '2',
        name: 'In progress',
        color: expect.stringMatching(/^#[0-9a-f]{6}$/),
        isActive: '1',
        hasDeadline: '1',
        texts: { text: { lang: 'En', name: 'In progress' } },
      });
      expect((await call(acct, 'taskStatus.getListOfSet', '<taskStatusSet><id>2</id></taskStatusSet>')).text).toContain(
        '<taskStatuses totalCount="0" count="0"/></response>',
      );
      expectError(await call(acct, 'taskStatus.getListOfSet'), '0009');
      expectError(await call(acct, 'taskStatus.getListOfSet', '<taskStatusSet><id>x</id></taskStatusSet>'), '0015');
    });
  });

  describe('actions (docs/planfix.md, checklist 11)', () => {
    it('adds a comment to a task, gets it, lists it first next to the status change', async () => {
      const acct = await planfixAccount(server, { planfix: { timezone: 'Asia/Tokyo' } });
      const bob = await addUser(server, acct.slug, unique('bob'));
      const bobNumber = Number(ok(await call(acct, 'user.get', '', bob.key)).user.id);
      const project = await addProject(acct, '<title>P</title>');
      const task = await addTask(acct, `<title>T</title><project><id>${project}</id></project>`);
      ok(await call(acct, 'task.changeStatus', `<task><id>${task.id}</id></task><status>2</status>`));
      const added = ok(
        await call(
          acct,
          'action.add',
          `<action><description>Looks &lt;good&gt;</description><task><general>${task.general}</general></task><notifiedList><user><id>${bobNumber}</id></user></notifiedList><isHidden>0</isHidden><owner></owner></action>`,
        ),
      );
      const id = added.action.id;
      const got = await call(acct, 'action.get', `<action><id>${id}</id></action>`);
      const a = ok(got).action;
      expect(Object.keys(a)).toEqual([
        'id',
        'description',
        'type',
        'isNotRead',
        'fromEmail',
        'dateTime',
        'task',
        'owner',
        'project',
        'notifiedList',
      ]);
      expect(a).toMatchObject({
        description: 'Looks <good>',
        type: 'ACTION',
        task: { id: String(task.id), title: 'T' },
        project: { id: String(project), title: 'P' },
      });
      expect(a.dateTime).toMatch(/^\d\d-\d\d-\d{4} \d\d:\d\d$/);
      expect(a.notifiedList.user[0].id).toBe(String(bobNumber));
      const list = ok(await call(acct, 'action.getList', `<task><id>${task.id}</id></task>`)).actions;
      expect(list['@totalCount']).toBe('2');
      expect(list.action.map((x: { type: string }) => x.type)).toEqual(['ACTION', 'STATUSCHANGED']);
      expect(list.action[1].statusChange).toEqual({ oldStatus: '1', newStatus: '2' });
      const asc = ok(await call(acct, 'action.getList', `<task><id>${task.id}</id></task><sort>ASC</sort><pageSize>1</pageSize>`)).actions;
      expect(asc.action.map((x: { type: string }) => x.type)).toEqual(['STATUSCHANGED']);
      expect((await call(acct, 'action.getList', `<task><id>${task.id}</id></task><pageCurrent>0</pageCurrent>`)).text).toContain(
        '<actions totalCount="2" count="0"/></response>',
      );
    });

    it('changes the task status with taskNewStatus; owner and dateTime only for admins', async () => {
      const acct = await planfixAccount(server);
      const bob = await addUser(server, acct.slug, unique('bob'));
      const bobNumber = Number(ok(await call(acct, 'user.get', '', bob.key)).user.id);
      const me = Number(ok(await call(acct, 'user.get')).user.id);
      const task = await addTask(acct, '<title>T</title>');
      const byAdmin = ok(
        await call(
          acct,
          'action.add',
          `<action><description>done</description><task><id>${task.id}</id></task><taskNewStatus>COMPLETED</taskNewStatus><owner><id>${bobNumber}</id></owner><dateTime>01-02-2024 10:30</dateTime></action>`,
        ),
      );
      const a = ok(await call(acct, 'action.get', `<action><id>${byAdmin.action.id}</id></action>`)).action;
      expect(a).toMatchObject({
        owner: { id: String(bobNumber) },
        dateTime: '01-02-2024 10:30',
        statusChange: { oldStatus: '1', newStatus: '3' },
      });
      expect(ok(await call(acct, 'task.get', `<task><id>${task.id}</id></task>`)).task.status).toBe('3');
      const byUser = ok(
        await call(
          acct,
          'action.add',
          `<action><description>x</description><task><id>${task.id}</id></task><owner><id>${me}</id></owner><dateTime>01-02-2024 10:30</dateTime></action>`,
          bob.key,
        ),
      );
      const b = ok(await call(acct, 'action.get', `<action><id>${byUser.action.id}</id></action>`)).action;
      expect(b.owner.id).toBe(String(bobNumber));
      expect(b.dateTime).not.toBe('01-02-2024 10:30');
      expectError(
        await call(
          acct,
          'action.add',
          `<action><description>x</description><task><id>${task.id}</id></task><taskNewStatus>REJECTED</taskNewStatus></action>`,
        ),
        '0016',
      );
    });

    it('comments on contacts; answers 0009 with no subject, 0019 with both, 3001/8002/4002 for unknown ones', async () => {
      const acct = await planfixAccount(server);
      const contact = ok(await call(acct, 'contact.add', '<contact><name>Ann</name></contact>')).contact;
      const company = ok(await call(acct, 'contact.add', '<contact><name>Co</name><isCompany>1</isCompany></contact>')).contact;
      const task = await addTask(acct, '<title>T</title>');
      const onPerson = ok(
        await call(
          acct,
          'action.add',
          `<action><description>called</description><contact><general>${contact.general}</general></contact></action>`,
        ),
      );
      ok(
        await call(
          acct,
          'action.add',
          `<action><description>met</description><contact><general>${company.general}</general></contact></action>`,
        ),
      );
      const a = ok(await call(acct, 'action.get', `<action><id>${onPerson.action.id}</id></action>`)).action;
      expect(Object.keys(a)).toEqual([
        'id',
        'description',
        'type',
        'isNotRead',
        'fromEmail',
        'dateTime',
        'contact',
        'owner',
        'notifiedList',
      ]);
      expect(a.contact).toEqual({ general: contact.general, name: 'Ann' });
      const companyActions = ok(await call(acct, 'action.getList', `<contact><general>${company.general}</general></contact>`)).actions;
      expect(companyActions.action.map((x: { description: string }) => x.description)).toEqual(['met']);
      expectError(await call(acct, 'action.getList'), '0009');
      expectError(
        await call(acct, 'action.getList', `<task><id>${task.id}</id></task><contact><general>${contact.general}</general></contact>`),
        '0019',
      );
      expectError(await call(acct, 'action.getList', '<task><id>99999999</id></task>'), '3001');
      expectError(await call(acct, 'action.getList', '<contact><general>99999</general></contact>'), '8002');
      expectError(await call(acct, 'action.get', '<action><id>99999999</id></action>'), '4002');
      expectError(await call(acct, 'action.get', '<action/>'), '0009');
      expectError(await call(acct, 'action.add', `<action><task><id>${task.id}</id></task></action>`), '0009');
      expectError(await call(acct, 'action.add', '<action><description>x</description></action>'), '0009');
      expectError(
        await call(
          acct,
          'action.add',
          `<action><description>x</description><task><id>${task.id}</id></task><contact><general>${contact.general}</general></contact></action>`,
        ),
        '0019',
      );
      expectError(
        await call(acct, 'action.add', '<action><description>x</description><contact><general>99999</general></contact></action>'),
        '8002',
      );
      expectError(
        await call(
          acct,
          'action.add',
          `<action><description>x</description><task><id>${task.id}</id></task><notifiedList><user><id>99999999</id></user></notifiedList></action>`,
        ),
        '6004',
      );
      const other = await planfixAccount(server);
      expectError(await call(other, 'action.get', `<action><id>${onPerson.action.id}</id></action>`), '4002');
    });
  });

  describe('contacts (docs/planfix.md, checklist 12)', () => {
    it('adds a company then a person; target=company lists only the company, the default only the person; update keeps other fields', async () => {
      const acct = await planfixAccount(server);
      const company = ok(
        await call(acct, 'contact.add', '<contact><name>Globex</name><isCompany>1</isCompany><email>info@globex.example</email></contact>'),
      );
      expect(Object.keys(company).filter((k) => !k.startsWith('@'))).toEqual(['contact', 'actionid']);
      expect(company.contact).toEqual({ id: expect.stringMatching(/^\d+$/), userid: '0', general: '1' });
      expect(company.actionid).toBe('0');
      const person = ok(
        await call(
          acct,
          'contact.add',
          '<contact><name>Jane</name><midName>Q</midName><lastName>Roe</lastName><post>CFO</post><email>jane@globex.example</email><phones><phone><number>+1 555 0100</number><typeId>1</typeId><typeName>Work</typeName></phone><phone><number>+1 555 0101</number></phone></phones><address>1 Main St</address><description>met at the fair</description><sex>FEMALE</sex><site>globex.example</site><skype>jroe</skype><facebook>jr</facebook><vk>jr</vk><icq>123</icq><birthdate>05-06-1980</birthdate></contact>',
        ),
      ).contact;
      expect(person.general).toBe('2');
      const companies = ok(await call(acct, 'contact.getList', '<target>company</target>')).contacts;
      expect(companies.contact.map((c: { name: string; isCompany: string }) => [c.name, c.isCompany])).toEqual([['Globex', '1']]);
      const people = ok(await call(acct, 'contact.getList')).contacts;
      expect(people.contact.map((c: { name: string }) => c.name)).toEqual(['Jane']);
      expect((await call(acct, 'contact.getList', '<target>template</target>')).text).toContain(
        '<contacts totalCount="0" count="0"/></response>',
      );
      const got = await call(acct, 'contact.get', `<contact><id>${person.id}</id></contact>`);
      const c = ok(got).contact;
      expect(Object.keys(c)).toEqual([
        'id',
        'userid',
        'general',
        'template',
        'name',
        'midName',
        'lastName',
        'isCompany',
        'post',
        'email',
        'phones',
        'address',
        'description',
        'sex',
        'site',
        'skype',
        'facebook',
        'vk',
        'icq',
        'birthdate',
        'havePlanfixAccess',
        'contractors',
        'customData',
      ]);
      expect(c).toMatchObject({
        userid: '0',
        midName: 'Q',
        lastName: 'Roe',
        isCompany: '0',
        sex: 'FEMALE',
        birthdate: '05-06-1980',
        havePlanfixAccess: '0',
      });
      expect(c.phones.phone).toEqual([
        { number: '+1 555 0100', typeId: '1', typeName: 'Work' },
        { number: '+1 555 0101', typeId: '', typeName: '' },
      ]);
      const updated = ok(
        await call(acct, 'contact.update', `<contact><general>${person.general}</general><post>CEO</post><sex/></contact>`),
      );
      expect(updated.contact).toEqual({ id: person.id, general: person.general });
      const after = ok(await call(acct, 'contact.get', `<contact><general>${person.general}</general></contact>`)).contact;
      expect(after).toMatchObject({ name: 'Jane', lastName: 'Roe', post: 'CEO', sex: '', email: 'jane@globex.example' });
      expect(after.phones.phone).toHaveLength(2);
    });

    it('searches names and e-mails in any case and pages by general', async () => {
      const acct = await planfixAccount(server);
      for (const [name, last, email] of [
        ['Ann', 'Smith', 'ann@x.example'],
        ['Bob', 'Stone', 'bob@smithy.example'],
        ['Cid', 'Young', 'cid@x.example'],
      ])
        ok(await call(acct, 'contact.add', `<contact><name>${name}</name><lastName>${last}</lastName><email>${email}</email></contact>`));
      const names = async (inner: string) =>
        ((ok(await call(acct, 'contact.getList', inner)).contacts.contact ?? []) as { name: string }[]).map((c) => c.name);
      expect(await names('<search>SMITH</search>')).toEqual(['Ann', 'Bob']);
      expect(await names('<search>cid@</search>')).toEqual(['Cid']);
      expect(await names('<pageCurrent>2</pageCurrent><pageSize>2</pageSize>')).toEqual(['Cid']);
      expectError(await call(acct, 'contact.getList', '<target>robots</target>'), '0015');
    });

    it('refuses what a contact cannot be: 0009 without a name, 8010 bad e-mail, 8003 taken company name, 0016 changing isCompany', async () => {
      const acct = await planfixAccount(server);
      const company = ok(await call(acct, 'contact.add', '<contact><name>Initech</name><isCompany>1</isCompany></contact>')).contact;
      const person = ok(await call(acct, 'contact.add', '<contact><lastName>Only</lastName></contact>')).contact;
      expectError(await call(acct, 'contact.add', '<contact><post>x</post></contact>'), '0009');
      expectError(await call(acct, 'contact.add', '<contact><lastName>L</lastName><isCompany>1</isCompany></contact>'), '0009');
      expectError(await call(acct, 'contact.add', '<contact><name>A</name><email>not-an-email</email></contact>'), '8010');
      expectError(await call(acct, 'contact.add', '<contact><name> initech </name><isCompany>1</isCompany></contact>'), '8003');
      expectError(await call(acct, 'contact.add', '<contact><name>A</name><sex>OTHER</sex></contact>'), '0015');
      expectError(await call(acct, 'contact.add', '<contact><name>A</name><birthdate>30-02-1990</birthdate></contact>'), '0015');
      expectError(await call(acct, 'contact.add', '<contact><name>A</name><isCompany>2</isCompany></contact>'), '0015');
      expectError(await call(acct, 'contact.update', `<contact><id>${company.id}</id><isCompany>0</isCompany></contact>`), '0016');
      expectError(await call(acct, 'contact.update', `<contact><id>${person.id}</id><lastName/></contact>`), '0009');
      expectError(await call(acct, 'contact.update', `<contact><id>${company.id}</id><name/></contact>`), '0009');
      ok(await call(acct, 'contact.update', `<contact><id>${company.id}</id><isCompany>1</isCompany><name>Initech Ltd</name></contact>`));
      expectError(await call(acct, 'contact.get', '<contact><id>99999999</id></contact>'), '8002');
      expectError(await call(acct, 'contact.update', '<contact><general>99999</general><name>x</name></contact>'), '8002');
      expectError(await call(acct, 'contact.get'), '0009');
      const other = await planfixAccount(server);
      expectError(await call(other, 'contact.get', `<contact><id>${company.id}</id></contact>`), '8002');
    });

    it('shares companies with PlanSync: a company_name there is a company contact here, and one name is one row', async () => {
      const acct = await planfixAccount(server);
      await plansync(server, acct.key)
        .post('/api/v1/touchpoints?year=2025', {
          company_name: 'Umbrella Corp',
          touchpoints: 'Kick-off',
          reporting_quarter: 'Q1',
          reporting_year: '2025',
        })
        .expect(200);
      const companies = ok(await call(acct, 'contact.getList', '<target>company</target>')).contacts.contact;
      expect(companies.map((c: { name: string }) => c.name)).toEqual(['Umbrella Corp']);
      expectError(await call(acct, 'contact.add', '<contact><name>UMBRELLA CORP</name><isCompany>1</isCompany></contact>'), '8003');
      ok(await call(acct, 'contact.add', '<contact><name>Wayne Enterprises</name><isCompany>1</isCompany></contact>'));
      await plansync(server, acct.key)
        .post('/api/v1/touchpoints?year=2025', {
          company_name: 'wayne enterprises',
          touchpoints: 'Call',
          reporting_quarter: 'Q2',
          reporting_year: '2025',
        })
        .expect(200);
      const after = ok(await call(acct, 'contact.getList', '<target>company</target>')).contacts;
      expect(after['@totalCount']).toBe('2');
      expect(after.contact.map((c: { general: string }) => c.general)).toEqual(['1', '2']);
    });
  });

  describe('users (docs/planfix.md)', () => {
    it("lists active users with the spec's element, sorts and pages; UNACTIVE lists the deactivated", async () => {
      const acct = await planfixAccount(server, { planfix: { timezone: 'America/New_York' } });
      const zed = await addUser(server, acct.slug, `zz-${unique('u')}`);
      const gone = await addUser(server, acct.slug, `aa-${unique('u')}`, 'recordkeeper');
      await admin(server).patch(`/admin/accounts/${acct.slug}/users/${gone.username}`, { active: false }).expect(200);
      const res = await call(acct, 'user.getList');
      const users = ok(res).users;
      expect(users['@totalCount']).toBe('2');
      expect(users.user.map((u: { login: string }) => u.login)).toEqual([acct.username, zed.username]);
      const u = users.user[0];
      expect(Object.keys(u)).toEqual([
        'id',
        'general',
        'name',
        'lastName',
        'midName',
        'login',
        'email',
        'secondaryEmails',
        'role',
        'status',
        'isActivated',
        'birthdate',
        'sex',
        'phones',
        'isInvisibleOutOfGroup',
        'isBlindOutOfGroup',
        'userPic',
        'isOnline',
        'timezone',
        'post',
        'userGroups',
      ]);
      expect(u).toMatchObject({
        general: '1',
        name: acct.username,
        role: 'ADMIN',
        status: 'ACTIVE',
        isActivated: '1',
        timezone: 'America/New_York',
        post: { id: '0', name: 'admin' },
      });
      expect(users.user[1]).toMatchObject({ role: 'USER', post: { name: 'advisor' } });
      expect(
        ok(await call(acct, 'user.getList', '<sortType>NAME_DESC</sortType>')).users.user.map((x: { login: string }) => x.login),
      ).toEqual([zed.username, acct.username]);
      expect(
        ok(await call(acct, 'user.getList', '<sortType>GROUP_ASC</sortType>')).users.user.map((x: { login: string }) => x.login),
      ).toEqual([acct.username, zed.username]);
      expect(
        ok(await call(acct, 'user.getList', '<sortType>ROLE_DESC</sortType>')).users.user.map((x: { role: string }) => x.role),
      ).toEqual(['USER', 'ADMIN']);
      const inactive = ok(await call(acct, 'user.getList', '<status>UNACTIVE</status>')).users.user;
      expect(inactive.map((x: { login: string; status: string }) => [x.login, x.status])).toEqual([[gone.username, 'UNACTIVE']]);
      expect((await call(acct, 'user.getList', '<pageCurrent>0</pageCurrent>')).text).toContain(
        '<users totalCount="2" count="0"/></response>',
      );
      expectError(await call(acct, 'user.getList', '<status>GONE</status>'), '0015');
    });

    it('gets a user by id or general, the caller when neither is given, 6004 otherwise', async () => {
      const acct = await planfixAccount(server);
      const bob = await addUser(server, acct.slug, unique('bob'));
      const bobId = ok(await call(acct, 'user.get', '', bob.key)).user.id;
      expect(ok(await call(acct, 'user.get', `<user><id>${bobId}</id></user>`)).user.login).toBe(bob.username);
      expect(ok(await call(acct, 'user.get', '<user><general>2</general></user>')).user.login).toBe(bob.username);
      expect(ok(await call(acct, 'user.get', '<user/>')).user.login).toBe(acct.username);
      expectError(await call(acct, 'user.get', '<user><id>99999999</id></user>'), '6004');
      expectError(await call(acct, 'user.get', '<user><id>0</id></user>'), '6004');
      const other = await planfixAccount(server);
      expectError(await call(other, 'user.get', `<user><id>${bobId}</id></user>`), '6004');
    });
  });

  describe('bad input (docs/planfix.md)', () => {
    let acct: PlanfixAccount;
    beforeAll(async () => {
      acct = await planfixAccount(server);
    });
    const auth = () => `${acct.key}:${acct.key}`;
    const req = (inner: string, method = 'task.get') => `<request method="${method}"><account>${acct.slug}</account>${inner}</request>`;

    it.each([
      ['an empty POST body', ''],
      ['plain text', 'just some text'],
      ['an unclosed tag', '<request method="task.get"><account>ACCOUNT</account>'],
      ['two roots', '<request method="task.get"><account>ACCOUNT</account></request><request method="x"/>'],
      ['root <req>', '<req method="task.get"><account>ACCOUNT</account></req>'],
      ['a DOCTYPE', '<!DOCTYPE request><request method="task.get"><account>ACCOUNT</account></request>'],
      [
        'billion laughs',
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><request method="task.get"><account>&c;</account></request>',
      ],
      [
        'an external entity',
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><request method="task.get"><account>&x;</account></request>',
      ],
      ['5,000-deep nesting', `<request method="task.get"><account>ACCOUNT</account>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</request>`],
      ['<__proto__>', '<request method="task.get"><account>ACCOUNT</account><__proto__><isAdmin>1</isAdmin></__proto__></request>'],
      [
        'encoding="windows-1251"',
        '<?xml version="1.0" encoding="windows-1251"?><request method="task.get"><account>ACCOUNT</account></request>',
      ],
      ['truncated XML', '<?xml version="1.0" encoding="UTF-8"?><request method="task.get"><account>ACC'],
    ])('answers %s with 0003', async (_label, body) => {
      expectError(await xmlCall(base, body.replace(/ACCOUNT/g, acct.slug), { auth: auth() }), '0003');
    });

    it('answers non-UTF-8 bytes and a body over the cap with 0003', async () => {
      const latin1 = Buffer.concat([Buffer.from(req('<task><title>')), Buffer.from([0xe9, 0x74, 0xe9]), Buffer.from('</title></task>')]);
      expectError(await xmlCall(base, latin1, { auth: auth() }), '0003');
      expectError(await xmlCall(base, req(`<x>${'y'.repeat(300 * 1024)}</x>`), { auth: auth() }), '0003', 'request body too large');
    });

    it('answers an unknown or absent method with 0008, after authentication', async () => {
      expectError(await xmlCall(base, req('', 'project.frobnicate'), { auth: auth() }), '0008');
      expectError(await xmlCall(base, `<request><account>${acct.slug}</account></request>`, { auth: auth() }), '0008');
      expectError(await xmlCall(base, `<request method="project.frobnicate"><account>${acct.slug}</account></request>`), '0001');
    });

    it.each([
      ['<task><id>abc</id></task>', 'task.get'],
      ['<task><id>1e3</id></task>', 'task.get'],
      ['<pageSize>-1</pageSize>', 'task.getList'],
      ['<task><title>x</title><endDate>31-02-2025</endDate></task>', 'task.add'],
      ['<project><title>x</title><hidden>2</hidden></project>', 'project.add'],
      ['<status>FROZEN</status>', 'task.getList'],
      ['<task><title>a</title><title>b</title></task>', 'task.add'],
      ['<task><id>1</id></task><task><id>2</id></task>', 'task.get'],
    ])('answers %s (%s) with 0015', async (inner, method) => {
      expectError(await xmlCall(base, req(inner, method), { auth: auth() }), '0015');
    });

    it('answers pageSize 101 with 0021, ids 0 and negative with the not-found codes', async () => {
      expectError(await xmlCall(base, req('<pageSize>101</pageSize>', 'contact.getList'), { auth: auth() }), '0021');
      for (const [method, inner, code] of [
        ['task.get', '<task><id>0</id></task>', '3001'],
        ['task.get', '<task><id>-7</id></task>', '3001'],
        ['project.get', '<project><general>0</general></project>', '2001'],
        ['action.get', '<action><id>-1</id></action>', '4002'],
        ['contact.get', '<contact><id>0</id></contact>', '8002'],
        ['user.get', '<user><id>-2</id></user>', '6004'],
      ]) {
        expectError(await xmlCall(base, req(inner, method), { auth: auth() }), code);
      }
    });

    it('ignores unknown elements, <silent>, customData and a pageSize on methods that do not page', async () => {
      const res = await xmlCall(
        base,
        req(
          '<silent>1</silent><whatever><deep>1</deep></whatever><pageSize>100</pageSize><task><title>ok</title><customData><customValue><id>1</id></customValue></customData><flavour>x</flavour></task>',
          'task.add',
        ),
        { auth: auth() },
      );
      expect(ok(res).task.id).toMatch(/^\d+$/);
    });

    it('stores nothing for a refused request', async () => {
      const before = ok(await xmlCall(base, req('', 'task.getList'), { auth: auth() })).tasks['@totalCount'];
      expectError(await xmlCall(base, req('<task><title>x</title><status>FROZEN</status></task>', 'task.add'), { auth: auth() }), '0015');
      expectError(
        await xmlCall(base, req('<task><title>x</title><project><id>99999999</id></project></task>', 'task.add'), { auth: auth() }),
        '3003',
      );
      expect(ok(await xmlCall(base, req('', 'task.getList'), { auth: auth() })).tasks['@totalCount']).toBe(before);
    });
  });

  describe('faults (docs/planfix.md: 0011)', () => {
    it('answers an unexpected failure with 0011 "temporarily unavailable" and HTTP 200, its stack only in the log', async () => {
      const acct = await planfixAccount(server);
      const spy = jest.spyOn(t.app.get(TasksService), 'get').mockRejectedValueOnce(new Error('boom: disk on fire'));
      try {
        const res = await call(acct, 'task.get', '<task><id>1</id></task>');
        expectError(res, '0011', 'temporarily unavailable');
        expect(res.text).not.toContain('boom');
        const id = String(res.headers['x-request-id']);
        expect(t.logs.lines.some((l) => l.includes(id) && l.includes('boom: disk on fire') && l.includes('"level":50'))).toBe(true);
      } finally {
        spy.mockRestore();
      }
    });

    (ON_POSTGRES ? it : it.skip)(
      'answers 0011 while the store is unreachable, never hanging, and works again without a restart',
      async () => {
        const { proxy, url } = await TcpProxy.inFrontOf(process.env.DATABASE_URL ?? '');
        const other = await startTestApp({ env: { DATABASE_URL: url, TRUST_PROXY: 'true' } });
        try {
          const otherBase = await listen(other.app.getHttpServer());
          const acct = await planfixAccount(other.app.getHttpServer());
          const body = `<request method="user.get"><account>${acct.slug}</account></request>`;
          ok(await xmlCall(otherBase, body, { auth: `${acct.key}:${acct.key}` }));
          await proxy.cut();
          const started = Date.now();
          expectError(await xmlCall(otherBase, body, { auth: `${acct.key}:${acct.key}` }), '0011', 'temporarily unavailable');
          expect(Date.now() - started).toBeLessThan(5000);
          await proxy.restore();
          let back: string | undefined;
          for (let i = 0; i < 50 && back !== 'ok'; i++) {
            back = answer(await xmlCall(otherBase, body, { auth: `${acct.key}:${acct.key}` }))['@status'];
            if (back !== 'ok') await new Promise((r) => setTimeout(r, 100));
          }
          expect(back).toBe('ok');
        } finally {
          await other.close();
          await proxy.cut();
        }
      },
    );
  });

  describe('what the public clients send (docs/planfix.md)', () => {
    it('Go (popstas/planfix-go): POST application/xml, Basic key with an empty password, a sid; empty <sort> and <owner>, zero-valued fields', async () => {
      const acct = await planfixAccount(server);
      const auth = `${acct.key}:`;
      const post = (body: string) =>
        xmlCall(base, `<?xml version="1.0" encoding="UTF-8"?>\n${body}`, { auth, contentType: 'application/xml; charset=utf-8' });
      const login = ok(
        await post(
          `<request method="auth.login"><account>${acct.slug}</account><login>${acct.username}</login><password>${acct.password}</password></request>`,
        ),
      );
      const sid = login.sid as string;
      const task = await addTask(acct, '<title>From Go</title>');
      const added = ok(
        await post(
          `<request method="action.add"><account>${acct.slug}</account><sid>${sid}</sid><action><description>go</description><task><id>${task.id}</id></task><isHidden>0</isHidden><owner></owner></action></request>`,
        ),
      );
      expect(added.action.id).toMatch(/^\d+$/);
      const list = ok(
        await post(
          `<request method="action.getList"><account>${acct.slug}</account><sid>${sid}</sid><task><id>${task.id}</id></task><pageCurrent>1</pageCurrent><pageSize>100</pageSize><sort></sort></request>`,
        ),
      );
      expect(list.actions['@count']).toBe('1');
      ok(
        await post(
          `<request method="task.get"><account>${acct.slug}</account><sid>${sid}</sid><task><general>${task.general}</general></task></request>`,
        ),
      );
      ok(await post(`<request method="user.get"><account>${acct.slug}</account><sid>${sid}</sid></request>`));
      // a dead session is 0005, on which the Go client logs in again
      expectError(
        await post(`<request method="user.get"><account>${acct.slug}</account><sid>ffffffffffffffffffffffffffffffff</sid></request>`),
        '0005',
      );
    });

    it('PHP (codinghamster): POST with a form Content-Type over raw XML, key:X, <pageSize> on every call, 10 calls at once on a default account', async () => {
      const acct = await planfixAccount(server, { planfix: { rate_per_second: null } });
      const auth = `${acct.key}:X`;
      const login = ok(
        await xmlCall(
          base,
          `<?xml version="1.0" encoding="UTF-8"?>\n<request method="auth.login"><account>${acct.slug}</account><login>${acct.username}</login><password>${acct.password}</password><signature>x</signature></request>`,
          {
            auth,
            contentType: 'application/x-www-form-urlencoded',
          },
        ),
      );
      const body = (method: string, inner = '') =>
        `<?xml version="1.0" encoding="UTF-8"?>\n<request method="${method}"><account>${acct.slug}</account><sid>${login.sid}</sid>${inner}<pageSize>100</pageSize><signature>x</signature></request>`;
      await new Promise((resolve) => setTimeout(resolve, 1100)); // the login's token comes back: the batch has the whole burst
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          xmlCall(base, body(i % 2 ? 'project.getList' : 'user.get'), { auth, contentType: 'application/x-www-form-urlencoded' }),
        ),
      );
      for (const r of answers) ok(r);
    });

    it('Python (django-planfix): POST without Content-Type, key with an empty password, an indented body with the signature last, True for booleans', async () => {
      const acct = await planfixAccount(server);
      const template = (method: string, inner: string) =>
        `<?xml version="1.0" encoding="UTF-8"?>\n        <request method="${method}">\n          ${inner}\n          <signature>0</signature>\n        </request>\n        `;
      const login = ok(
        await xmlCall(
          base,
          template('auth.login', `<account>${acct.slug}</account><login>${acct.username}</login><password>${acct.password}</password>`),
          { auth: `${acct.key}:` },
        ),
      );
      const added = ok(
        await xmlCall(
          base,
          template(
            'contact.add',
            `<account>${acct.slug}</account><sid>${login.sid}</sid><contact><template></template><name>Ivan</name><lastName>Petrov</lastName><post></post><email>ivan@example.com</email><mobilePhone></mobilePhone><workPhone></workPhone><homePhone></homePhone><address></address><description></description><sex></sex><skype></skype><icq></icq><birthdate></birthdate><lang></lang><isCompany></isCompany><canBeWorker>True</canBeWorker><canBeClient></canBeClient></contact>`,
          ),
          { auth: `${acct.key}:` },
        ),
      );
      expect(added.contact.userid).toBe('0');
      const list = await xmlCall(
        base,
        template(
          'contact.getList',
          `<account>${acct.slug}</account><sid>${login.sid}</sid><pageCurrent>2</pageCurrent><pageSize>100</pageSize><search></search>`,
        ),
        { auth: `${acct.key}:` },
      );
      // the one script that stops paging at this text
      expect(list.text).toContain('count="0"/></response>');
      ok(
        await xmlCall(
          base,
          template(
            'project.add',
            `<account>${acct.slug}</account><sid>${login.sid}</sid><project><title>Py</title><hidden>True</hidden></project>`,
          ),
          { auth: `${acct.key}:` },
        ),
      );
    });

    it('never writes the sid, passwords or keys to the log', async () => {
      const acct = await planfixAccount(server);
      const client = legacy(acct);
      await client.login(acct.username, acct.password);
      await client.call('user.get');
      expect(t.logs.text).not.toContain(client.sid!);
      expect(t.logs.text).not.toContain(acct.password);
      expect(t.logs.text).not.toContain(acct.key);
    });
  });

  describe('the two test clients', () => {
    it('legacy JavaScript client: login, projects, tasks, status, comments, contacts, with its tab-indented GET bodies', async () => {
      const acct = await planfixAccount(server);
      const client = legacy(acct, { privateKey: 'irrelevant' });
      const body = client.body('task.get', { task: { general: 1 } });
      expect(body).toBe(
        `<?xml version="1.0" encoding="UTF-8"?>\n<request method="task.get">\n\t<account>${acct.slug}</account>\n\t<task>\n\t\t<general>1</general>\n\t</task>\n\t<signature>${body.match(/<signature>(\w+)</)![1]}</signature>\n</request>`,
      );
      expectError((await client.call('user.get')).raw, '0012');
      expect((await client.login(acct.username, acct.password)).body.$.status).toBe('ok');
      const me = (await client.call('user.get')).body.user;
      const project = (await client.call('project.add', { project: { title: 'Harbour View', workers: { id: [me.id] } } })).body.project.id;
      const task = (
        await client.call('task.add', { task: { title: 'Survey & plan', project: { id: project }, workers: { users: { id: [me.id] } } } })
      ).body.task;
      expect(task.general).toBe('1');
      expect((await client.call('task.changeStatus', { task: { id: task.id }, status: 'ACCEPTED' })).body.$.status).toBe('ok');
      expect((await client.call('action.add', { action: { description: 'on it', task: { id: task.id } } })).body.$.status).toBe('ok');
      const list = await client.call('task.getList', { pageCurrent: 1, pageSize: 100 });
      expect(list.body.tasks.$).toEqual({ totalCount: '1', count: '1' });
      expect(list.body.tasks.task).toMatchObject({ title: 'Survey & plan', status: '2', project: { title: 'Harbour View' } });
      const actions = await client.call('action.getList', { task: { id: task.id } });
      expect(actions.body.actions.action.map((a: { type: string }) => a.type)).toEqual(['ACTION', 'STATUSCHANGED']);
      expect((await client.call('contact.add', { contact: { name: 'Acme', isCompany: 1 } })).body.contact.general).toBe('1');
      expect((await client.call('contact.getList', { target: 'company' })).body.contacts.contact.name).toBe('Acme');
      expect((await client.call('taskStatus.getListOfSet', { taskStatusSet: { id: 1 } })).body.taskStatuses.$.totalCount).toBe('8');
      // a session that expired: 0005, and after a new login the client goes on
      await store.query(
        `UPDATE xml_sessions SET expires_at = now() - interval '1 second' WHERE key_id IN (SELECT id FROM api_keys WHERE account_id = (SELECT id FROM accounts WHERE slug = $1))`,
        [acct.slug],
      );
      const expired = await client.call('user.get');
      expect(expired.body).toMatchObject({ $: { status: 'error' }, code: '0005' });
      await client.login(acct.username, acct.password);
      expect((await client.call('user.get')).body.$.status).toBe('ok');
    });

    it('documented client: POST application/xml, token mode, compact bodies, no signature', async () => {
      const acct = await planfixAccount(server);
      const client = documented(acct);
      expect(client.body('task.get', { task: { id: 3 } })).toBe(
        `<?xml version="1.0" encoding="UTF-8"?><request method="task.get"><account>${acct.slug}</account><task><id>3</id></task></request>`,
      );
      const project = await client.call('project.add', {
        project: { title: 'Docs tower', status: 'ACTIVE', hasEndDate: 1, endDate: '31-12-2030' },
      });
      expect(project.status).toBe('ok');
      const got = await client.call('project.get', { project: { id: project.body.project.id } });
      expect(got.body.project).toMatchObject({ title: 'Docs tower', hasEndDate: '1', endDate: '31-12-2030' });
      const task = await client.call('task.add', {
        task: { title: 'Compact', importance: 'HIGH', project: { id: project.body.project.id } },
      });
      expect(task.body.task.general).toBe('1');
      expect((await client.call('task.update', { task: { general: 1, title: 'Compact v2' } })).status).toBe('ok');
      expect((await client.call('task.get', { task: { general: 1 } })).body.task).toMatchObject({
        title: 'Compact v2',
        importance: 'HIGH',
      });
      const statusSets = await client.call('taskStatus.getSetList');
      expect(statusSets.body.taskStatusSets.taskStatusSet).toEqual({ id: '1', name: 'Default process' });
      const contact = await client.call('contact.add', { contact: { name: 'Dana', email: 'dana@example.com' } });
      expect((await client.call('contact.update', { contact: { id: contact.body.contact.id, post: 'Owner' } })).status).toBe('ok');
      expect((await client.call('contact.get', { contact: { id: contact.body.contact.id } })).body.contact).toMatchObject({
        name: 'Dana',
        post: 'Owner',
      });
      expect((await client.call('user.getList')).body.users['@totalCount']).toBe('1');
      const missing = await client.call('task.get', { task: { id: 987654321 } });
      expect([missing.status, missing.code, missing.raw.status]).toEqual(['error', '3001', 200]);
    });
  });
});
