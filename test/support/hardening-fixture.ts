import { type Server } from 'node:http';
import { admin, unique } from '../factories/admin.factory.js';
import { fpLogin, importEvents, newItemId, fpEvent } from '../factories/forward-planner.factory.js';
import { planfixAccount, tokenCall, ok, listen } from '../factories/planfix.factory.js';
import { pp } from '../factories/planpoint.factory.js';
import { CLIENT_LIST_CSV, importSheet, plansync } from '../factories/plansync.factory.js';
import { retl, runSync, TOUCHPOINT_OBJECT } from '../factories/reverse-etl.factory.js';

/**
 * One account with the same shapes of data in every protocol, made through the protocols themselves: the objects
 * the endpoint catalogue's samples name. The hardening suites make two of them (isolation) or one (bad input).
 */
export interface AccountFixture {
  slug: string;
  username: string;
  password: string;
  key: string;
  /** More keys of the same user for the reverse-ETL calls (120 a minute per key). */
  retlKeys: string[];
  /** A key the Admin API samples may revoke. */
  spareKeyName: string;
  namespace: string;
  plansync: { sheet: string; year: number; touchpointId: string; filename: string };
  fp: { itemId: number; spareItemId: number; access: string; refresh: string };
  planfix: { project: number; task: number; taskGeneral: number; contact: number; contactGeneral: number; action: number; user: number };
  planpoint: {
    project: string;
    hostName: string;
    floor: string;
    unit: string;
    group: string;
    groupHost: string;
    enterprise: string;
    enterpriseHost: string;
  };
  retl: { destination: string; sync: string; run: string; dlq: string };
}

const TOUCHPOINT_MAPPINGS = [
  { source: 'id', destination: 'external_id', isKey: true },
  { source: 'company_name', destination: 'account_company' },
];

function must<T>(res: { status: number; body: T; text?: string }, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text ?? JSON.stringify(res.body)}`);
  return res.body;
}

/** A fixture account. `hookUrl`: a webhook receiver that refuses every batch (so the run leaves a dead letter). */
export async function makeAccountFixture(server: Server, hookUrl: string, retlKeyCount = 3): Promise<AccountFixture> {
  const base = await planfixAccount(server, { plan: 'premium' });
  const { slug, username, key, password } = base;
  const api = admin(server);
  // The corpus sends thousands of requests with this account's key: limits high, so that its answers are about
  // the input and not the rate (the limits have their own suite).
  await api
    .patch(`/admin/accounts/${slug}`, {
      settings: {
        plansync: { requests_per_minute: 100_000 },
        forward_planner: { limit_per_minute: 1_000_000, limit_per_hour: 1_000_000, limit_per_day: 1_000_000 },
        planfix: { rate_per_second: 0, daily_quota: 1_000_000 },
      },
    })
    .expect(200);
  const retlKeys: string[] = [];
  for (let i = 0; i < retlKeyCount; i++)
    retlKeys.push(must(await api.post(`/admin/accounts/${slug}/users/${username}/keys`, { name: `retl-${i}` }), 201, 'key').key as string);
  const spareKeyName = 'spare';
  must(await api.post(`/admin/accounts/${slug}/users/${username}/keys`, { name: spareKeyName }), 201, 'spare key');

  // PlanSync: a sheet-year table, a touchpoint, a file
  const ps = plansync(server, key);
  // sheet names are a fixed set, the same in every account: a row naming the account tells whose table answered
  must(await importSheet(server, slug, 'Client List', 2025, `${CLIENT_LIST_CSV}\n${slug} Holdings,1,1,true,`), 200, 'sheet import');
  const tp = must(
    await ps.post('/api/v1/touchpoints?year=2025', {
      company_name: 'Acme Corp',
      touchpoints: 'Quarterly review call',
      reporting_quarter: 'Q1',
      reporting_year: '2025',
    }),
    200,
    'touchpoint',
  ) as { unid: string };
  const file = must(await ps.upload(`report-${slug}.pdf`, `%PDF-1.4 ${slug}`), 200, 'upload') as { filename: string };

  // Forward Planner: two events (one the Admin API samples may delete), a session
  const itemId = newItemId();
  const spareItemId = newItemId();
  must(await importEvents(server, slug, [fpEvent({ itemId }), fpEvent({ itemId: spareItemId })]), 200, 'events');
  const session = await fpLogin(server, { username, key });

  // Planfix: a project, a task in it, a company contact, an action on the task; the user itself
  const url = await listen(server);
  const call = async (method: string, inner: string) => ok(await tokenCall(url, { slug, key }, method, inner));
  const project = Number((await call('project.add', '<project><title>Harbour works</title></project>')).project.id);
  const task = (await call('task.add', `<task><title>Call Acme</title><project><id>${project}</id></project></task>`)).task;
  const contact = (
    await call('contact.add', '<contact><name>Globex Ltd</name><isCompany>1</isCompany><email>info@globex.test</email></contact>')
  ).contact;
  const action = (await call('action.add', `<action><description>Called</description><task><id>${task.id}</id></task></action>`)).action;
  const user = (await call('user.get', '')).user;

  // Planpoint: a project with a floor and a unit, a group and an enterprise around it, all unpublished (published
  // ones are public by design: embeds find them without a credential)
  const p = pp(server, key);
  const ppProject = must(await p.post('/api/projects', { name: 'Riverside Tower', published: false }), 201, 'pp project') as {
    _id: string;
    hostName: string;
  };
  const floor = must(await p.post('/api/floors', { project: ppProject._id, name: 'Level 1', level: 1 }), 201, 'floor') as { _id: string };
  const unit = must(
    await p.post('/api/units', { floor: floor._id, unitNumber: '101', status: 'Available', bed: 2, price: 350000 }),
    201,
    'unit',
  ) as { _id: string };
  const group = must(await p.post('/api/groups', { name: 'Riverside', projects: [ppProject._id], published: false }), 201, 'group') as {
    _id: string;
    hostName: string;
  };
  const enterprise = must(
    await p.post('/api/enterprises', { name: 'Riverside Homes', groups: [group._id], published: false }),
    201,
    'enterprise',
  ) as { _id: string; hostName: string };

  // Reverse ETL: a webhook destination, a sync of touchpoints, a run whose row was refused (a dead letter)
  const r = retl(server, key);
  const destination = (
    must(
      await r.post('/destinations', {
        name: 'CRM hook',
        connector: 'webhook',
        config: { url: `${hookUrl}/in`, objects: [TOUCHPOINT_OBJECT], maxRetries: 0 },
      }),
      201,
      'destination',
    ) as { data: { id: string } }
  ).data.id;
  const sync = (
    must(
      await r.post('/syncs', {
        name: 'Touchpoints',
        sourceQuery: 'model:touchpoints',
        destinationId: destination,
        objectName: 'Touchpoints',
        fieldMappings: TOUCHPOINT_MAPPINGS,
        syncMode: 'upsert',
      }),
      201,
      'sync',
    ) as { data: { id: string } }
  ).data.id;
  const run = await runSync(r, sync);
  const dlq = (must(await r.get(`/dlq?sync_id=${sync}`), 200, 'dlq') as { data: { id: string }[] }).data[0]?.id;
  if (!dlq) throw new Error(`the fixture run left no dead letter: ${JSON.stringify(run)}`);

  return {
    slug,
    username,
    password,
    key,
    retlKeys,
    spareKeyName,
    namespace: slug,
    plansync: { sheet: 'Client List', year: 2025, touchpointId: tp.unid, filename: file.filename },
    fp: { itemId, spareItemId, access: session.token, refresh: session.refreshToken },
    planfix: {
      project,
      task: Number(task.id),
      taskGeneral: Number(task.general),
      contact: Number(contact.id),
      contactGeneral: Number(contact.general),
      action: Number(action.id),
      user: Number(user.id),
    },
    planpoint: {
      project: ppProject._id,
      hostName: ppProject.hostName,
      floor: floor._id,
      unit: unit._id,
      group: group._id,
      groupHost: group.hostName,
      enterprise: enterprise._id,
      enterpriseHost: enterprise.hostName,
    },
    retl: { destination, sync, run: run.id as string, dlq },
  };
}

/** Ids and names of the same shapes that no account has: the "does not exist" column of the isolation matrix. */
export function ghostOf(fx: AccountFixture): AccountFixture {
  const hex = (id: string) => id.replace(/[0-9a-f]/g, (c) => (c === 'f' ? 'e' : 'f'));
  const ulid = (id: string) => id.replace(/[0-9a-z]{26}$/, '01' + 'z'.repeat(24));
  const big = (n: number) => n + 900_000_000;
  return {
    ...fx,
    plansync: {
      ...fx.plansync,
      sheet: unique('No Sheet'),
      touchpointId: fx.plansync.touchpointId.replace(/[0-9a-f]/g, 'e'),
      filename: `${unique('none')}.pdf`,
    },
    fp: { ...fx.fp, itemId: fx.fp.itemId + 777_777, spareItemId: fx.fp.spareItemId + 777_777 },
    planfix: {
      project: big(fx.planfix.project),
      task: big(fx.planfix.task),
      taskGeneral: big(fx.planfix.taskGeneral),
      contact: big(fx.planfix.contact),
      contactGeneral: big(fx.planfix.contactGeneral),
      action: big(fx.planfix.action),
      user: big(fx.planfix.user),
    },
    planpoint: {
      project: hex(fx.planpoint.project),
      hostName: unique('nohost'),
      floor: hex(fx.planpoint.floor),
      unit: hex(fx.planpoint.unit),
      group: hex(fx.planpoint.group),
      groupHost: unique('nohost'),
      enterprise: hex(fx.planpoint.enterprise),
      enterpriseHost: unique('nohost'),
    },
    namespace: unique('nons'),
    retl: { destination: ulid(fx.retl.destination), sync: ulid(fx.retl.sync), run: ulid(fx.retl.run), dlq: ulid(fx.retl.dlq) },
  };
}
