import { type Server } from 'node:http';
import request from 'supertest';
import { ProjectSitesService } from '#projects';
import { StoreService } from '#store';
import { admin } from '../factories/admin.factory.js';
import { freshIp, planpointAccount, pp, type PlanpointAccount } from '../factories/planpoint.factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

jest.setTimeout(120_000);

/** The public finds carry a strong ETag and public caching headers; a matching If-None-Match answers 304 (docs/planpoint.md). */
describe('Planpoint finds: ETag and If-None-Match', () => {
  let t: TestApp;
  let server: Server;
  let a: PlanpointAccount;

  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'true', PLANPOINT_PUBLIC_PER_MINUTE: '5' } });
    server = t.app.getHttpServer();
    a = await planpointAccount(server);
  });
  afterAll(() => t.close());

  async function created(path: string, body: Record<string, unknown>): Promise<Record<string, any>> {
    const res = await pp(server, a.key).post(path, body);
    expect(res.status).toBe(201);
    return res.body as Record<string, any>;
  }
  /** One anonymous find, from a fresh address unless given (the limit here is 5 a minute per address). */
  function find(path: string, body: Record<string, unknown>, ifNoneMatch?: string, ip = freshIp()) {
    const r = pp(server, undefined, { ip }).post(path, body);
    return ifNoneMatch === undefined ? r : r.set('If-None-Match', ifNoneMatch);
  }
  async function tagOf(path: string, body: Record<string, unknown>): Promise<string> {
    const res = await find(path, body);
    expect(res.status).toBe(201);
    return res.headers.etag as string;
  }

  it('tags a project find strongly with public caching headers; a matching tag answers 304 without a body', async () => {
    const p = await created('/api/projects', { name: 'Tagged Tower' });
    const body = { namespace: a.slug, hostName: p.hostName };
    const first = await find('/api/projects/find', body);
    expect(first.status).toBe(201);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(first.headers['cache-control']).toBe('public, max-age=10, must-revalidate');
    expect(first.headers.vary).toMatch(/Authorization/);
    expect(first.headers['access-control-expose-headers']).toBe('ETag');
    const tag = first.headers.etag as string;

    const again = await find('/api/projects/find', { namespace: ` ${a.slug.toUpperCase()} `, hostName: p.hostName }, tag);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
    expect(again.headers.etag).toBe(tag);
    expect(again.headers['cache-control']).toBe('public, max-age=10, must-revalidate');

    // RFC 9110: `*`, a weak form of the tag (weak comparison) and a list holding it all match; another tag does not.
    expect((await find('/api/projects/find', body, '*')).status).toBe(304);
    expect((await find('/api/projects/find', body, `W/${tag}`)).status).toBe(304);
    expect((await find('/api/projects/find', body, `"other", W/"x,y" ,${tag}`)).status).toBe(304);
    const other = await find('/api/projects/find', body, '"other", W/"another"');
    expect(other.status).toBe(201);
    expect(other.body.name).toBe('Tagged Tower');
    // A tag of the unit find is not the project find's.
    expect(await tagOf('/api/units/find', body)).not.toBe(tag);
  });

  it('a change to the project, a floor or a unit changes the tag at once', async () => {
    const p = await created('/api/projects', { name: 'Changing Court' });
    const body = { namespace: a.slug, hostName: p.hostName };
    const seen: string[] = [];
    const next = async (path = '/api/projects/find') => {
      const tag = await tagOf(path, body);
      expect(tag).not.toBe(seen.at(-1));
      seen.push(tag);
      expect((await find(path, body, tag)).status).toBe(304);
      return tag;
    };
    let tag = await next();
    expect(await tagOf('/api/projects/find', body)).toBe(tag); // nothing changed, same tag

    await pp(server, a.key).patch(`/api/projects/${p._id}`, { description: 'Now with a view' }).expect(201);
    const changed = await find('/api/projects/find', body, tag);
    expect(changed.status).toBe(201);
    expect(changed.body.description).toBe('Now with a view');
    tag = await next();

    const withoutFloors = tag;
    const f = await created('/api/floors', { project: p._id, name: 'Level 1', level: 1 });
    await next();
    await pp(server, a.key).patch(`/api/floors/${f._id}`, { name: 'Ground' }).expect(200);
    await next();
    const u = await created('/api/units', { floor: f._id, unitNumber: '101', status: 'Available' });
    await next();
    const unitTag = await tagOf('/api/units/find', body);
    await pp(server, a.key).patch(`/api/units/${u._id}`, { status: 'Sold' }).expect(200);
    expect((await find('/api/units/find', body, unitTag)).status).toBe(201);
    await next();
    await pp(server, a.key).delete(`/api/units/${u._id}`).expect(200);
    await next();
    await pp(server, a.key).delete(`/api/floors/${f._id}`).expect(200);
    tag = await next();
    // The same rows as before the floor was added: the same answer, the same tag.
    expect(tag).toBe(withoutFloors);

    // The operator's pause answers 403 whatever the tag; unpaused, the tag is new.
    await admin(server)
      .patch(`/admin/accounts/${a.slug}/planpoint/projects/${p._id}`, { paused: { value: true, reason: 'billing' } })
      .expect(200);
    expect((await find('/api/projects/find', body, tag)).status).toBe(403);
    await admin(server).patch(`/admin/accounts/${a.slug}/planpoint/projects/${p._id}`, { paused: false }).expect(200);
    tag = await next();
    // Unpublished: 404 anonymously, even with `*`.
    await pp(server, a.key).patch(`/api/projects/${p._id}`, { published: false }).expect(201);
    expect((await find('/api/projects/find', body, '*')).status).toBe(404);
    expect(tag).toBeDefined();
  });

  it('a hold that runs out changes the tag without a write', async () => {
    const p = await created('/api/projects', { name: 'Hold Place' });
    const f = await created('/api/floors', { project: p._id, name: 'L1', level: 1 });
    // Already expired when written: its stamp counts it as run out; a later one would count once its time passes.
    await created('/api/units', { floor: f._id, unitNumber: '1', availability: 'On Hold', onHoldExpiresAt: '2020-01-01T00:00:00Z' });
    const body = { namespace: a.slug, hostName: p.hostName };
    const res = await find('/api/units/find', body);
    expect(res.body.records[0].status).toBe('Available');
    // The stamp of the same rows with the hold not yet run out differs: the count of run-out holds is part of it.
    const [row] = await t.app.get(StoreService).query<{ id: string }>(`SELECT id FROM projects WHERE public_id = $1`, [p._id]);
    const sites = t.app.get(ProjectSitesService);
    const beforeExpiry = await sites.stamp(Number(row.id), new Date('2019-01-01T00:00:00Z'));
    expect(await sites.stamp(Number(row.id))).not.toBe(beforeExpiry);
  });

  it('two writes of a unit within one clock tick still change the tag (the rows are hashed, not their updated_at)', async () => {
    const p = await created('/api/projects', { name: 'Same Tick' });
    const f = await created('/api/floors', { project: p._id, name: 'L1', level: 1 });
    const u = await created('/api/units', { floor: f._id, unitNumber: '1', price: 100 });
    const body = { namespace: a.slug, hostName: p.hostName };
    const store = t.app.get(StoreService);
    const write = (price: number) =>
      store.query(`UPDATE units SET price = $2, updated_at = '2030-01-01T00:00:00Z' WHERE public_id = $1`, [u._id, price]);
    await write(200);
    const tag = await tagOf('/api/projects/find', body);
    await write(300);
    const after = await find('/api/projects/find', body, tag);
    expect(after.status).toBe(201);
    expect(after.body.floors[0].units[0].price).toBe(300);
  });

  it('groups and enterprises: tagged, 304 on a match, a new tag when a member project changes', async () => {
    const p = await created('/api/projects', { name: 'Member One' });
    const g = await created('/api/groups', { name: 'Bayside', projects: [p._id] });
    const e = await created('/api/enterprises', { name: 'Bay Enterprise', groups: [g._id], projects: [] });
    const gBody = { namespace: a.slug, hostName: g.hostName };
    const eBody = { namespace: a.slug, hostName: e.hostName };
    const gTag = await tagOf('/api/groups/find', gBody);
    const eTag = await tagOf('/api/enterprises/find', eBody);
    expect((await find('/api/groups/find', gBody, gTag)).status).toBe(304);
    expect((await find('/api/enterprises/find', eBody, eTag)).status).toBe(304);
    await pp(server, a.key).patch(`/api/projects/${p._id}`, { name: 'Member One Renamed' }).expect(201);
    const g2 = await find('/api/groups/find', gBody, gTag);
    expect(g2.status).toBe(201);
    expect(g2.body.projects[0].name).toBe('Member One Renamed');
    expect((await find('/api/enterprises/find', eBody, eTag)).status).toBe(201);
    await pp(server, a.key).patch(`/api/groups/${g._id}`, { name: 'Bayside Renamed' }).expect(201);
    expect((await find('/api/groups/find', gBody, g2.headers.etag as string)).status).toBe(201);
  });

  it('a credential gets its own tag, kept private', async () => {
    const p = await created('/api/projects', { name: 'Owner View' });
    const body = { namespace: a.slug, hostName: p.hostName };
    const anonTag = await tagOf('/api/projects/find', body);
    const owner = await pp(server, a.key).post('/api/projects/find', body);
    expect(owner.status).toBe(201);
    expect(owner.headers['cache-control']).toBe('private, no-cache');
    expect(owner.headers.etag).not.toBe(anonTag);
    expect((await pp(server, a.key).post('/api/projects/find', body).set('If-None-Match', anonTag)).status).toBe(201);
    expect(
      (
        await pp(server, a.key)
          .post('/api/projects/find', body)
          .set('If-None-Match', owner.headers.etag as string)
      ).status,
    ).toBe(304);
  });

  it('a 304 counts against the per-address limit like any find', async () => {
    const p = await created('/api/projects', { name: 'Counted' });
    const body = { namespace: a.slug, hostName: p.hostName };
    const ip = freshIp();
    const tag = (await find('/api/projects/find', body, undefined, ip)).headers.etag as string;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await find('/api/projects/find', body, tag, ip)).status);
    expect(statuses).toEqual([304, 304, 304, 304, 429]);
  });

  it('the preflight allows If-None-Match', async () => {
    const res = await request(server).options('/api/projects/find');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-headers']).toBe('Content-Type, Authorization, If-None-Match');
  });
});
