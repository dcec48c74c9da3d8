import { type Server } from 'node:http';
import { Client } from 'pg';
import { admin } from '../factories/admin.factory.js';
import { fpClient, fpEvent, importEvents } from '../factories/forward-planner.factory.js';
import { listen, ok, planfixAccount, tokenCall, type PlanfixAccount } from '../factories/planfix.factory.js';
import { pp } from '../factories/planpoint.factory.js';
import { plansync } from '../factories/plansync.factory.js';
import { RETL_TEST_JWT_SECRET, retl, runSync, TOUCHPOINT_OBJECT } from '../factories/reverse-etl.factory.js';
import { createScratchDatabase } from '../support/pg-admin.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

jest.setTimeout(120_000);

/**
 * One account, one key, one record (docs/architecture.md): each step is a different protocol, and each reads back what the step
 * before it wrote through another protocol. The steps share state, so they run in order and stop at the first failure.
 */
describe('the cross-protocol journey', () => {
  let t: TestApp;
  let server: Server;
  let xmlBase: string;
  let acct: PlanfixAccount;
  const receiver = new WebhookReceiver();
  let hookUrl: string;

  // what each step leaves for the next
  let acmeTouchpoint: string;
  let acmeContactId: string;
  let towerId: number;
  let towerTaskTitles: string[];
  let towerPlanpointId: string;
  let surveyTaskGeneral: string;
  const unitIds: Record<string, string> = {};

  beforeAll(async () => {
    hookUrl = await receiver.start();
    t = await startTestApp({
      // SQL sources are off on the embedded store by default; the journey's sync selects Acme's rows with one.
      env: { TRUST_PROXY: 'true', RETL_WORKERS: '1', JWT_SECRET: RETL_TEST_JWT_SECRET, RETL_SQL_ON_EMBEDDED: 'true' },
    });
    server = t.app.getHttpServer();
    xmlBase = await listen(server);
    // one account, one admin user with a password, one API key: the only credential the protocols below are given
    acct = await planfixAccount(server);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  const xml = (method: string, inner = '') => tokenCall(xmlBase, acct, method, inner);

  it('1. PlanSync: the key records touchpoints for Acme (and one for Globex)', async () => {
    const api = plansync(server, acct.key);
    const touchpoint = (company: string, text: string) =>
      api.post('/api/v1/touchpoints?year=2026', {
        company_name: company,
        touchpoints: text,
        reporting_quarter: 'Q4',
        reporting_year: '2026',
        time_spent: 45,
      });
    const acme = await touchpoint('Acme', 'Site visit for Tower A').expect(200);
    acmeTouchpoint = acme.body.unid;
    await touchpoint('Globex', 'Renewal call').expect(200);

    const read = await api.get('/api/v1/touchpoints?year=2026&company_name=acme').expect(200);
    expect(read.body.data.map((d: { unid: string; company_name: string }) => [d.unid, d.company_name])).toEqual([[acmeTouchpoint, 'Acme']]);
  });

  it('2. Planfix: the same key sees Acme as a company contact, adds project "Tower A" for it, with tasks', async () => {
    const companies = ok(await xml('contact.getList', '<target>company</target><pageSize>100</pageSize>')).contacts;
    const acme = (companies.contact as { id: string; name: string; isCompany: string }[]).find((c) => c.name === 'Acme');
    expect(acme).toMatchObject({ isCompany: '1' });
    acmeContactId = acme!.id;

    const added = ok(
      await xml(
        'project.add',
        `<project><title>Tower A</title><description>Riverside, 12 floors</description><client><id>${acmeContactId}</id></client></project>`,
      ),
    );
    towerId = Number(added.project.id);
    towerTaskTitles = ['Survey the site', 'Pour the foundations'];
    for (const title of towerTaskTitles) {
      const task = ok(await xml('task.add', `<task><title>${title}</title><project><id>${towerId}</id></project></task>`)).task;
      if (title === 'Survey the site') surveyTaskGeneral = task.general as string;
    }

    const project = ok(await xml('project.get', `<project><id>${towerId}</id></project>`)).project;
    expect(project).toMatchObject({ title: 'Tower A', client: { id: acmeContactId, name: 'Acme' }, taskCount: '2' });
    const tasks = ok(await xml('task.getList', `<project><id>${towerId}</id></project><pageSize>100</pageSize>`)).tasks;
    expect(tasks['@count']).toBe('2');
    expect((tasks.task as { title: string }[]).map((x) => x.title).sort()).toEqual([...towerTaskTitles].sort());
  });

  it('3. Planpoint: a website embed finds Tower A by namespace and host name; the key adds floors and units', async () => {
    const found = await pp(server).post('/api/projects/find', { namespace: acct.slug, hostName: 'tower-a' });
    expect(found.status).toBe(201);
    expect(found.body).toMatchObject({
      name: 'Tower A',
      description: 'Riverside, 12 floors',
      namespace: acct.slug,
      hostName: 'tower-a',
      floors: [],
    });
    towerPlanpointId = found.body._id;

    const api = pp(server, acct.key);
    const ground = await api.post('/api/floors', { project: { _id: towerPlanpointId }, name: 'Ground', level: 0 });
    const first = await api.post('/api/floors', { project: { _id: towerPlanpointId }, name: 'First', level: 1 });
    expect([ground.status, first.status]).toEqual([201, 201]);
    for (const [floor, name, price] of [
      [ground.body._id, 'G01', 410000],
      [first.body._id, '101', 395000],
      [first.body._id, '102', 402500],
    ] as const) {
      const unit = await api.post('/api/units', { floor, name, unitNumber: name, price, status: 'Available', bed: 2 });
      expect(unit.status).toBe(201);
      unitIds[name] = unit.body._id;
    }

    // the embed sees them, nested, without a credential
    const again = await pp(server).post('/api/projects/find', { namespace: acct.slug, hostName: 'tower-a' }).expect(201);
    const floors = (again.body.floors as { name: string; units: { name: string; price: number }[] }[])
      .map((f) => [f.name, f.units.map((u) => `${u.name}@${u.price}`).sort()])
      .sort();
    expect(floors).toEqual([
      ['First', ['101@395000', '102@402500']],
      ['Ground', ['G01@410000']],
    ]);
    // and Planfix still serves the same project, its tasks untouched by Planpoint's writes
    expect(ok(await xml('project.get', `<project><id>${towerId}</id></project>`)).project).toMatchObject({
      title: 'Tower A',
      taskCount: '2',
    });
  });

  it("4. Forward Planner: the same key logs in as the user and reads the account's events about Acme", async () => {
    // events arrive through the operator's import, as the vendor's feed would; one mentions Acme
    const acmeEvent = fpEvent({ summary: 'Acme investor day', organisationName: 'Acme', startDate: '2031-03-10' });
    await importEvents(server, acct.slug, [acmeEvent, fpEvent({ summary: 'Globex AGM', startDate: '2031-03-10' })]).expect(200);

    const client = fpClient(server);
    const login = await client.login(acct.username, acct.key);
    expect(login.status).toBe(200);
    expect(login.body.email).toBe(acct.email);

    const day = await client.get('/api/v2/events/date?date=20310310', login.body.token).expect(200);
    expect((day.body as { summary: string }[]).map((e) => e.summary).sort()).toEqual(['Acme investor day', 'Globex AGM']);
    const acmeOnly = await client.get('/api/v2/events/date?date=20310310&keyword=acme', login.body.token).expect(200);
    expect(acmeOnly.body).toEqual([expect.objectContaining({ itemId: acmeEvent.itemId, organisationName: 'Acme' })]);

    // the refreshed session still reads them
    const renewed = await client.renew(login.body.refreshToken).expect(200);
    expect((await client.get('/api/v2/events/date?date=20310310&keyword=acme', renewed.body.token).expect(200)).body).toHaveLength(1);
  });

  it("5. Reverse ETL: the same key syncs Acme's touchpoints, the ones PlanSync wrote, to a webhook", async () => {
    const api = retl(server, acct.key);
    const destination = await api.post('/destinations', {
      name: 'CRM',
      connector: 'webhook',
      config: { url: `${hookUrl}/touchpoints`, objects: [TOUCHPOINT_OBJECT], maxRetries: 0 },
    });
    expect(destination.status).toBe(201);
    const sync = await api.post('/syncs', {
      name: 'Acme touchpoints to CRM',
      sourceQuery: "SELECT id, company_name, touchpoints, year, time_spent FROM touchpoints WHERE company_name = 'Acme'",
      destinationId: destination.body.data.id,
      objectName: 'Touchpoints',
      fieldMappings: [
        { source: 'id', destination: 'external_id', isKey: true },
        { source: 'company_name', destination: 'account_company' },
        { source: 'touchpoints', destination: 'summary' },
        { source: 'year', destination: 'year_reported' },
        { source: 'time_spent', destination: 'minutes' },
      ],
      syncMode: 'upsert',
    });
    expect(sync.status).toBe(201);

    const run = await runSync(api, sync.body.data.id);
    expect(run).toMatchObject({ status: 'succeeded', rows_read: 1, rows_written: 1, rows_failed: 0 });
    expect(receiver.rows).toEqual([
      { external_id: acmeTouchpoint, account_company: 'Acme', summary: 'Site visit for Tower A', year_reported: 2026, minutes: 45 },
    ]);
  });

  it('5b. Reverse ETL: a unit sold in Planpoint reaches a webhook, a task completed in Planfix a PostgreSQL table, one sync each', async () => {
    // the records change through their own protocols
    expect((await pp(server, acct.key).patch(`/api/units/${unitIds['101']}`, { status: 'Sold' })).status).toBe(200);
    ok(await xml('task.changeStatus', `<task><general>${surveyTaskGeneral}</general></task><status>COMPLETED</status>`));
    const api = retl(server, acct.key);

    // the sold unit, read from the units model, to a webhook
    receiver.batches.length = 0;
    const hook = await api.post('/destinations', {
      name: 'Sales board',
      connector: 'webhook',
      config: {
        url: `${hookUrl}/units`,
        maxRetries: 0,
        objects: [
          {
            name: 'Units',
            fields: [
              { name: 'external_id', type: 'string', isIdentifier: true, required: true },
              { name: 'unit', type: 'string' },
              { name: 'status', type: 'string' },
              { name: 'price', type: 'number' },
            ],
          },
        ],
      },
    });
    expect(hook.status).toBe(201);
    const unitsSync = await api.post('/syncs', {
      name: 'Sold units',
      sourceQuery: "SELECT id, name, status, price FROM units WHERE status = 'Sold'",
      destinationId: hook.body.data.id,
      objectName: 'Units',
      fieldMappings: [
        { source: 'id', destination: 'external_id', isKey: true },
        { source: 'name', destination: 'unit' },
        { source: 'status', destination: 'status' },
        { source: 'price', destination: 'price' },
      ],
      syncMode: 'upsert',
    });
    expect(unitsSync.status).toBe(201);
    expect(await runSync(api, unitsSync.body.data.id)).toMatchObject({ status: 'succeeded', rows_read: 1, rows_written: 1 });
    expect(receiver.rows).toEqual([{ external_id: unitIds['101'], unit: '101', status: 'Sold', price: 395000 }]);
    // another tenant's same sync reads none of them: the units model holds only the caller's rows
    const other = await planfixAccount(server);
    const otherApi = retl(server, other.key);
    const otherHook = await otherApi.post('/destinations', {
      name: 'hook',
      connector: 'webhook',
      config: hook.body.data.attributes.config,
    });
    const otherSync = await otherApi.post('/syncs', {
      name: 'All units',
      sourceQuery: 'model:units',
      destinationId: otherHook.body.data.id,
      objectName: 'Units',
      fieldMappings: [{ source: 'id', destination: 'external_id', isKey: true }],
      syncMode: 'upsert',
    });
    expect(await runSync(otherApi, otherSync.body.data.id)).toMatchObject({ status: 'succeeded', rows_read: 0 });

    // the completed task, read from the tasks model, to a PostgreSQL table
    const db = await createScratchDatabase(process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres');
    const target = new Client({ connectionString: db.url });
    await target.connect();
    try {
      await target.query('CREATE TABLE done_tasks (external_id text PRIMARY KEY, title text NOT NULL, status integer)');
      const warehouse = await api.post('/destinations', { name: 'Warehouse', connector: 'postgres', config: { url: db.url } });
      expect(warehouse.status).toBe(201);
      const tasksSync = await api.post('/syncs', {
        name: 'Completed tasks',
        sourceQuery: 'SELECT id, title, status FROM tasks WHERE status = 3',
        destinationId: warehouse.body.data.id,
        objectName: 'done_tasks',
        fieldMappings: [
          { source: 'id', destination: 'external_id', isKey: true },
          { source: 'title', destination: 'title' },
          { source: 'status', destination: 'status' },
        ],
        syncMode: 'upsert',
      });
      expect(tasksSync.status).toBe(201);
      expect(await runSync(api, tasksSync.body.data.id)).toMatchObject({ status: 'succeeded', rows_read: 1, rows_written: 1 });
      const { rows } = await target.query('SELECT title, status FROM done_tasks');
      expect(rows).toEqual([{ title: 'Survey the site', status: 3 }]);
    } finally {
      await target.end();
      await db.drop();
    }
  });

  it('6. one identity: the Admin API shows one key, never its secret, used by all five protocols above', async () => {
    const keys = await admin(server).get(`/admin/accounts/${acct.slug}/users/${acct.username}/keys`).expect(200);
    expect(keys.body.count).toBe(1);
    expect(keys.body.keys[0]).toMatchObject({ name: acct.keyName, revoked_at: null, last_used_at: expect.any(String) });
    expect(JSON.stringify(keys.body)).not.toContain(acct.key);
  });
});
