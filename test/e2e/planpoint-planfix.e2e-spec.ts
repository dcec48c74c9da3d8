import { type Server } from 'node:http';
import { listen, ok, planfixAccount, tokenCall, type PlanfixAccount } from '../factories/planfix.factory.js';
import { pp } from '../factories/planpoint.factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

jest.setTimeout(120_000);

/** One record, every protocol (docs/architecture.md): a Planfix project IS a Planpoint project, both ways. */
describe('Planfix ↔ Planpoint', () => {
  let t: TestApp;
  let server: Server;
  let base: string;
  let acct: PlanfixAccount;

  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    server = t.app.getHttpServer();
    base = await listen(server);
    acct = await planfixAccount(server);
  });
  afterAll(() => t.close());

  const call = (method: string, inner = '') => tokenCall(base, acct, method, inner);

  it('Planfix project.add "Tower A" is found anonymously here under the account slug as tower-a', async () => {
    const added = ok(await call('project.add', '<project><title>Tower A</title><description>By the river</description></project>'));
    const id = Number(added.project.id);
    const found = await pp(server).post('/api/projects/find', { namespace: acct.slug, hostName: 'tower-a' });
    expect(found.status).toBe(201);
    expect(found.body).toMatchObject({
      name: 'Tower A',
      namespace: acct.slug,
      hostName: 'tower-a',
      description: 'By the river',
      status: 'ACTIVE',
      published: true,
      paused: false,
      floors: [],
    });
    expect(found.body._id).toMatch(/^[0-9a-f]{24}$/);
    // and a rename in Planfix keeps the hostName
    ok(await call('project.update', `<project><id>${id}</id><title>Tower A (phase 1)</title></project>`));
    const again = await pp(server, acct.key).get(`/api/projects/${found.body._id}`);
    expect(again.body).toMatchObject({ name: 'Tower A (phase 1)', hostName: 'tower-a' });
  });

  it('a project made here is in Planfix project.getList with its name as title, and project.get', async () => {
    const made = await pp(server, acct.key).post('/api/projects', { name: 'Harbour View', description: 'Sea side' });
    expect(made.status).toBe(201);
    const list = ok(await call('project.getList', '<pageSize>100</pageSize>'));
    const titles = (list.projects.project as { title: string; id: string }[]).map((p) => p.title);
    expect(titles).toContain('Harbour View');
    const id = (list.projects.project as { title: string; id: string }[]).find((p) => p.title === 'Harbour View')!.id;
    const got = ok(await call('project.get', `<project><id>${id}</id></project>`));
    expect(got.project.title).toBe('Harbour View');
    expect(got.project.description).toBe('Sea side');
  });

  it('a project with a Planfix task cannot be deleted here (409); once the task is gone it can', async () => {
    const made = await pp(server, acct.key).post('/api/projects', { name: 'Busy' });
    const list = ok(await call('project.getList', '<pageSize>100</pageSize>'));
    const id = (list.projects.project as { title: string; id: string }[]).find((p) => p.title === 'Busy')!.id;
    ok(await call('task.add', `<task><title>Survey</title><project><id>${id}</id></project></task>`));
    const refused = await pp(server, acct.key).delete(`/api/projects/${made.body._id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ message: 'Project is used by Planfix tasks or subprojects' });
    expect((await pp(server, acct.key).get(`/api/projects/${made.body._id}`)).status).toBe(201);
  });

  it('a namespace change applies to projects Planfix made', async () => {
    const other = await planfixAccount(server);
    ok(await tokenCall(base, other, 'project.add', '<project><title>Dockside</title></project>'));
    const ns = `ns-${other.slug}`;
    const { admin } = await import('../factories/admin.factory.js');
    await admin(server)
      .patch(`/admin/accounts/${other.slug}`, { settings: { planpoint: { namespace: ns } } })
      .expect(200);
    expect((await pp(server).post('/api/projects/find', { namespace: ns, hostName: 'dockside' })).status).toBe(201);
    expect((await pp(server).post('/api/projects/find', { namespace: other.slug, hostName: 'dockside' })).status).toBe(404);
  });
});
