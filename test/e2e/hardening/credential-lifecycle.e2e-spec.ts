import { validRequest } from '../../support/bad-input-corpus.js';
import { CATALOGUE, planfixXml } from '../../support/endpoint-catalogue.js';
import { startHardeningApp, type HardeningApp } from '../../support/hardening-app.js';
import { type AccountFixture } from '../../support/hardening-fixture.js';
import { isRefused, badInputProblem, type WireProtocol } from '../../support/protocol-errors.js';
import { admin } from '../../factories/admin.factory.js';
import { fpLogin } from '../../factories/forward-planner.factory.js';
import { basic, type RawResponse } from '../../clients/http-transport.js';

/**
 * Issue #11 item 3, across protocols (each protocol's own suite covers its part alone): one API key used in all
 * five protocols, then revoked through the Admin API, is refused everywhere within a second; the Forward Planner
 * refresh tokens and Planfix XML sessions it opened die with it; a reused refresh token ends its family and only it.
 */
describe('hardening: one credential across the five protocols', () => {
  let h: HardeningApp;
  let fx: AccountFixture;

  beforeAll(async () => {
    h = await startHardeningApp();
    fx = await h.fixture(1);
    await h.quiesce();
  });
  afterAll(async () => h?.close());

  /** A read in each protocol with the fixture's key (reverse ETL: the same key, as the fixture's retl key list). */
  function reads(key: string, session: { access: string; sid: string }): [string, WireProtocol, () => Promise<RawResponse>][] {
    const f: AccountFixture = { ...fx, key, retlKeys: [key], fp: { ...fx.fp, access: session.access } };
    const call = (protocol: WireProtocol, route: string) => () =>
      h.send(
        validRequest(
          CATALOGUE.find((ep) => ep.protocol === protocol && ep.route === route && ['GET', 'project.getList'].includes(ep.method))!,
          f,
        ),
      );
    const sessionCall = () =>
      h.send({
        method: 'POST',
        path: '/xml/',
        headers: { Authorization: basic(key, 'x'), 'Content-Type': 'application/xml' },
        body: planfixXml('project.getList', { account: fx.slug, sid: session.sid }),
      });
    return [
      ['PlanSync X-API-Key', 'plansync', call('plansync', '/api/v1/spreadsheets')],
      ['Forward Planner access token', 'forward-planner', call('forward-planner', '/api/v2/categories')],
      ['Planfix token mode', 'planfix', call('planfix', '/xml/')],
      ['Planfix auth.login session', 'planfix', sessionCall],
      ['Planpoint bearer key', 'planpoint', call('planpoint', '/api/projects/mine')],
      ['reverse ETL bearer key', 'reverse-etl', call('reverse-etl', '/api/reverse-etl/syncs')],
    ];
  }

  async function planfixSession(key: string): Promise<string> {
    const res = await h.send({
      method: 'POST',
      path: '/xml/',
      headers: { Authorization: basic(key, 'x'), 'Content-Type': 'application/xml' },
      body: planfixXml('auth.login', { account: fx.slug, login: fx.username, password: fx.password }),
    });
    const sid = /<sid>([0-9a-f]{32})<\/sid>/.exec(res.text)?.[1];
    if (!sid) throw new Error(`auth.login: ${res.text}`);
    return sid;
  }

  it('revoked through the Admin API, the key is refused in every protocol at once, its sessions and refresh tokens with it', async () => {
    const keyName = 'everywhere';
    const key = (await admin(h.server).post(`/admin/accounts/${fx.slug}/users/${fx.username}/keys`, { name: keyName }).expect(201)).body
      .key as string;
    const fp = await fpLogin(h.server, { username: fx.username, key });
    const session = { access: fp.token, sid: await planfixSession(key) };
    const calls = reads(key, session);
    for (const [name, protocol, call] of calls) {
      const res = await call();
      expect({ name, refused: isRefused(protocol, res), text: res.text.slice(0, 200) }).toMatchObject({ name, refused: false });
    }

    await admin(h.server).delete(`/admin/accounts/${fx.slug}/users/${fx.username}/keys/${keyName}`).expect(200);
    // This instance made the change, so it refuses at once: the first call of each protocol after the answer.
    // (Other instances learn within the epoch poll; test/security/credential-changes covers them on PostgreSQL.)
    for (const [name, protocol, call] of calls) {
      const res = await call();
      expect({ name, refused: isRefused(protocol, res), problem: badInputProblem(protocol, res) }).toEqual({
        name,
        refused: true,
        problem: undefined,
      });
    }

    // what the key opened is dead too: its refresh token cannot renew, a new session cannot be opened
    const renew = await h.send({
      method: 'POST',
      path: '/api/v2/auth/renew',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: fp.refreshToken }),
    });
    expect(renew.status).toBe(400);
    expect(badInputProblem('forward-planner', renew)).toBeUndefined();
    await expect(planfixSession(key)).rejects.toThrow(/auth\.login/);
    // the user's other keys are untouched
    const other = await h.send(
      validRequest(
        CATALOGUE.find((ep) => ep.route === '/api/v1/spreadsheets')!,
        fx,
      ),
    );
    expect(other.status).toBe(200);
  });

  it('a reused refresh token ends its family (every token and access token of it), and nothing else of the key', async () => {
    const first = await fpLogin(h.server, { username: fx.username, key: fx.key });
    const other = await fpLogin(h.server, { username: fx.username, key: fx.key });
    const renew = (token: string) =>
      h.send({
        method: 'POST',
        path: '/api/v2/auth/renew',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: token }),
      });
    const rotated = JSON.parse((await renew(first.refreshToken)).text) as { token: string; refreshToken: string };
    expect(rotated.refreshToken).toBeDefined();

    const reuse = await renew(first.refreshToken);
    expect(reuse.status).toBe(400);
    expect((await renew(rotated.refreshToken)).status).toBe(400);
    const categories = (access: string) =>
      h.send({ method: 'GET', path: '/api/v2/categories', headers: { Authorization: `Bearer ${access}` } });
    expect((await categories(rotated.token)).status).toBe(401);
    expect((await categories(first.token)).status).toBe(401);
    // another family of the same key, and the key itself in the other protocols, still work
    expect((await categories(other.token)).status).toBe(200);
    expect((await renew(other.refreshToken)).status).toBe(200);
    const [, , planfix] = reads(fx.key, { access: other.token, sid: await planfixSession(fx.key) });
    expect(isRefused('planfix', await planfix[2]())).toBe(false);
  });
});
