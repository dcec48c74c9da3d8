import { type NestExpressApplication } from '@nestjs/platform-express';
import { PLANFIX_METHODS } from '../../src/protocols/planfix/wire/planfix-call.js';
import { type AccountFixture } from './hardening-fixture.js';
import { type WireProtocol } from './protocol-errors.js';
import { TEST_ADMIN_TOKEN } from './test-app.js';

/**
 * Every endpoint of every protocol with a valid sample request built from an account fixture: what the bad-input
 * corpus mutates and what the isolation matrix replays with another account's credential. `catalogueGaps` compares
 * it with the routes the running app serves (Express's router) and the Planfix method registry, so an endpoint
 * added without a catalogue entry fails the suites.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface Sample {
  /** Values of the route's `:params`. */
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** JSON body (or, for Planfix, the `<request>` children as a tree). */
  body?: Json;
  /** A body sent as is with this Content-Type (CSV imports). */
  raw?: { type: string; text: string };
  /** A multipart upload: its fields and one file part. */
  upload?: { fields: Record<string, string>; filename: string; content: string };
}

export interface Endpoint {
  protocol: WireProtocol;
  /** `POST`, ...; Planfix: the XML method name. */
  method: string;
  /** The route as Express lists it (`/api/v1/files/:filename`); Planfix: `/xml/`. */
  route: string;
  sample(fx: AccountFixture): Sample;
  /** Names another object of the account (an id, a name or a namespace): a row of the isolation matrix. */
  refs?: boolean;
  /** Its credential is in the body (logins, renew): run after the rest, so that a success spends nothing needed. */
  login?: boolean;
}

/**
 * Served routes that are no protocol endpoint: the docs and metrics (no input), and the request pipeline's catch-all
 * (`{/*splat}`) with which each protocol answers its unknown paths and wrong methods.
 */
export const NOT_PROTOCOL_ROUTES = /^(GET \/docs|GET \/openapi\.(json|yaml)$|GET \/metrics$|ALL \{\/\*splat\}$)/;

const e = (
  protocol: WireProtocol,
  method: string,
  route: string,
  sample: Endpoint['sample'] = () => ({}),
  extra: Partial<Endpoint> = {},
): Endpoint => ({
  protocol,
  method,
  route,
  sample,
  ...extra,
});
const R = { refs: true };

const TOUCHPOINT = {
  company_name: 'Acme Corp',
  touchpoints: 'Quarterly review call',
  reporting_quarter: 'Q1',
  reporting_year: '2025',
  stakeholders: 'CFO',
  time_spent: 30,
};

const PLANSYNC: Endpoint[] = [
  e('plansync', 'GET', '/health'),
  e('plansync', 'GET', '/api/v1/spreadsheets'),
  e(
    'plansync',
    'GET',
    '/api/v1/spreadsheets/:sheet_name/schema',
    (f) => ({ params: { sheet_name: f.plansync.sheet }, query: { year: '2025' } }),
    R,
  ),
  e(
    'plansync',
    'GET',
    '/api/v1/spreadsheets/:sheet_name/data',
    (f) => ({ params: { sheet_name: f.plansync.sheet }, query: { year: '2025', limit: '10' } }),
    R,
  ),
  e('plansync', 'POST', '/api/v1/files/upload', () => ({
    upload: { fields: { company_name: 'Acme Corp', document_type: 'Plan Document' }, filename: 'plan.pdf', content: '%PDF-1.4 plan' },
  })),
  e('plansync', 'GET', '/api/v1/files', () => ({ query: { company_name: 'Acme Corp' } })),
  e('plansync', 'GET', '/api/v1/files/:filename', (f) => ({ params: { filename: f.plansync.filename } }), R),
  e('plansync', 'POST', '/api/v1/touchpoints', () => ({ query: { year: '2025' }, body: TOUCHPOINT })),
  e('plansync', 'GET', '/api/v1/touchpoints', () => ({ query: { year: '2025', quarter: 'Q1' } })),
  e(
    'plansync',
    'PUT',
    '/api/v1/touchpoints/:touchpoint_id',
    (f) => ({ params: { touchpoint_id: f.plansync.touchpointId }, query: { year: '2025' }, body: TOUCHPOINT }),
    R,
  ),
  e(
    'plansync',
    'DELETE',
    '/api/v1/touchpoints/:touchpoint_id',
    (f) => ({ params: { touchpoint_id: f.plansync.touchpointId }, query: { year: '2025' } }),
    R,
  ),
  e('plansync', 'DELETE', '/api/v1/files/:filename', (f) => ({ params: { filename: f.plansync.filename } }), R),
];

const FORWARD_PLANNER: Endpoint[] = [
  e('forward-planner', 'GET', '/api/v2/events/date', () => ({ query: { date: '20300615', limit: '100', offset: '0' } })),
  e('forward-planner', 'GET', '/api/v2/events/between', () => ({
    query: { startDate: '20300601', endDate: '20300630', categoryId: '88' },
  })),
  e('forward-planner', 'GET', '/api/v2/events/latest', () => ({ query: { date: '20300101', time: '0000', offset: '0', limit: '100' } })),
  e('forward-planner', 'GET', '/api/v2/events/:itemId', (f) => ({ params: { itemId: String(f.fp.itemId) } }), R),
  e('forward-planner', 'GET', '/api/v2/categories'),
  e('forward-planner', 'GET', '/api/v2/eventtypes'),
  e('forward-planner', 'GET', '/api/v2/countries'),
  e('forward-planner', 'POST', '/api/v2/auth', (f) => ({ body: { username: f.username, password: f.key } }), { login: true }),
  e('forward-planner', 'POST', '/api/v2/auth/renew', (f) => ({ body: { refreshToken: f.fp.refresh } }), { login: true }),
];

/** Planfix: one endpoint per method of the registry, all at POST /xml/. */
const PLANFIX_SAMPLES: Record<(typeof PLANFIX_METHODS)[number], [(f: AccountFixture) => Json, boolean?]> = {
  'auth.login': [(f) => ({ login: f.username, password: f.password })],
  'project.getList': [() => ({ pageCurrent: '1', pageSize: '10', target: 'ALL' })],
  'project.get': [(f) => ({ project: { id: String(f.planfix.project) } }), true],
  'project.add': [() => ({ project: { title: 'New works', description: 'Scope' } })],
  'project.update': [(f) => ({ project: { id: String(f.planfix.project), title: 'Harbour works' } }), true],
  'task.getList': [(f) => ({ target: 'all', project: { id: String(f.planfix.project) }, pageCurrent: '1', pageSize: '10' }), true],
  'task.get': [(f) => ({ task: { id: String(f.planfix.task) } }), true],
  'task.add': [
    (f) => ({
      task: {
        title: 'Follow up',
        description: 'Call back',
        project: { id: String(f.planfix.project) },
        endDateIsSet: '1',
        endDate: '31-12-2030',
      },
    }),
    true,
  ],
  'task.update': [(f) => ({ task: { id: String(f.planfix.task), title: 'Call Acme' } }), true],
  'task.changeStatus': [(f) => ({ task: { id: String(f.planfix.task) }, status: 'ACCEPTED' }), true],
  'taskStatus.getSetList': [() => ({})],
  'taskStatus.getListOfSet': [() => ({ taskStatusSet: { id: '1' } })],
  'action.getList': [(f) => ({ task: { id: String(f.planfix.task) }, pageCurrent: '1', pageSize: '10' }), true],
  'action.get': [(f) => ({ action: { id: String(f.planfix.action) } }), true],
  'action.add': [(f) => ({ action: { description: 'Noted', task: { id: String(f.planfix.task) } } }), true],
  'contact.getList': [() => ({ pageCurrent: '1', pageSize: '10', target: 'ALL' })],
  'contact.get': [(f) => ({ contact: { id: String(f.planfix.contact) } }), true],
  'contact.add': [() => ({ contact: { name: 'Beta LLC', isCompany: '1', email: 'beta@example.com' } })],
  'contact.update': [(f) => ({ contact: { id: String(f.planfix.contact), post: 'Office' } }), true],
  'user.getList': [() => ({ status: 'ACTIVE', pageCurrent: '1', pageSize: '10' })],
  'user.get': [(f) => ({ user: { id: String(f.planfix.user) } }), true],
};
const PLANFIX: Endpoint[] = PLANFIX_METHODS.map((m) => {
  const [body, refs] = PLANFIX_SAMPLES[m];
  return e('planfix', m, '/xml/', (f) => ({ body: { account: f.slug, ...(body(f) as Record<string, Json>) } }), {
    refs: !!refs,
    login: m === 'auth.login',
  });
});

const PLANPOINT: Endpoint[] = [
  e('planpoint', 'POST', '/api/projects/find', (f) => ({ body: { namespace: f.namespace, hostName: f.planpoint.hostName } }), R),
  e('planpoint', 'GET', '/api/projects/mine'),
  e('planpoint', 'POST', '/api/projects', () => ({ body: { name: 'Harbour View', description: 'Waterfront', published: false } })),
  e('planpoint', 'GET', '/api/projects/:id', (f) => ({ params: { id: f.planpoint.project } }), R),
  e('planpoint', 'PATCH', '/api/projects/:id', (f) => ({ params: { id: f.planpoint.project }, body: { description: 'Riverside' } }), R),
  e('planpoint', 'POST', '/api/groups/find', (f) => ({ body: { namespace: f.namespace, hostName: f.planpoint.groupHost } }), R),
  e('planpoint', 'GET', '/api/groups'),
  e('planpoint', 'POST', '/api/groups', (f) => ({ body: { name: 'Harbour', projects: [f.planpoint.project] } }), R),
  e('planpoint', 'GET', '/api/groups/:id', (f) => ({ params: { id: f.planpoint.group } }), R),
  e(
    'planpoint',
    'PATCH',
    '/api/groups/:id',
    (f) => ({ params: { id: f.planpoint.group }, body: { name: 'Riverside', projects: [f.planpoint.project] } }),
    R,
  ),
  e('planpoint', 'POST', '/api/enterprises/find', (f) => ({ body: { namespace: f.namespace, hostName: f.planpoint.enterpriseHost } }), R),
  e('planpoint', 'GET', '/api/enterprises'),
  e('planpoint', 'POST', '/api/enterprises', (f) => ({ body: { name: 'Harbour Homes', groups: [f.planpoint.group] } }), R),
  e('planpoint', 'GET', '/api/enterprises/:id', (f) => ({ params: { id: f.planpoint.enterprise } }), R),
  e(
    'planpoint',
    'PATCH',
    '/api/enterprises/:id',
    (f) => ({ params: { id: f.planpoint.enterprise }, body: { name: 'Riverside Homes', groups: [f.planpoint.group] } }),
    R,
  ),
  e('planpoint', 'GET', '/api/floors', (f) => ({ query: { pid: f.planpoint.project } }), R),
  e('planpoint', 'POST', '/api/floors', (f) => ({ body: { project: f.planpoint.project, name: 'Level 2', level: 2 } }), R),
  e('planpoint', 'GET', '/api/floors/:id', (f) => ({ params: { id: f.planpoint.floor } }), R),
  e('planpoint', 'PATCH', '/api/floors/:id', (f) => ({ params: { id: f.planpoint.floor }, body: { name: 'Level 1' } }), R),
  e('planpoint', 'GET', '/api/units', (f) => ({ query: { pid: f.planpoint.project, floor: f.planpoint.floor } }), R),
  e('planpoint', 'POST', '/api/units/find', (f) => ({ body: { namespace: f.namespace, hostName: f.planpoint.hostName } }), R),
  e(
    'planpoint',
    'POST',
    '/api/units',
    (f) => ({ body: { floor: f.planpoint.floor, unitNumber: '102', status: 'Available', bed: 1, price: 250000 } }),
    R,
  ),
  e('planpoint', 'PATCH', '/api/units', (f) => ({ body: { ids: [f.planpoint.unit], patchData: { price: 360000 } } }), R),
  e('planpoint', 'GET', '/api/units/:id', (f) => ({ params: { id: f.planpoint.unit } }), R),
  e('planpoint', 'PATCH', '/api/units/:id', (f) => ({ params: { id: f.planpoint.unit }, body: { status: 'OnHold' } }), R),
  e('planpoint', 'GET', '/api/leads', (f) => ({ query: { pid: f.planpoint.project } }), R),
  e(
    'planpoint',
    'POST',
    '/api/leads',
    (f) => ({ body: { namespace: f.namespace, hostName: f.planpoint.hostName, name: 'Jane', email: 'jane@example.com', message: 'Hi' } }),
    R,
  ),
  e('planpoint', 'DELETE', '/api/units/:id', (f) => ({ params: { id: f.planpoint.unit } }), R),
  e('planpoint', 'DELETE', '/api/floors/:id', (f) => ({ params: { id: f.planpoint.floor } }), R),
  e('planpoint', 'DELETE', '/api/enterprises/:id', (f) => ({ params: { id: f.planpoint.enterprise } }), R),
  e('planpoint', 'DELETE', '/api/groups/:id', (f) => ({ params: { id: f.planpoint.group } }), R),
  e('planpoint', 'DELETE', '/api/projects/:id', (f) => ({ params: { id: f.planpoint.project } }), R),
  e('planpoint', 'POST', '/api/users/login', (f) => ({ body: { username: f.username, password: f.password } }), { login: true }),
];

const SYNC_BODY = (f: AccountFixture): Json => ({
  name: 'Touchpoints 2',
  sourceQuery: 'model:touchpoints',
  destinationId: f.retl.destination,
  objectName: 'Touchpoints',
  fieldMappings: [
    { source: 'id', destination: 'external_id', isKey: true },
    { source: 'company_name', destination: 'account_company' },
  ],
  syncMode: 'upsert',
  // no schedule: a scheduled run queued by the engine mid-suite would be a write no request made
});

function reverseEtl(mount: string): Endpoint[] {
  const x = (method: string, path: string, sample?: Endpoint['sample'], extra?: Partial<Endpoint>) =>
    e('reverse-etl', method, mount + path, sample, extra);
  return [
    x('GET', '/destinations', () => ({ query: { limit: '10' } })),
    x('POST', '/destinations', () => ({
      body: {
        name: 'Hook 2',
        connector: 'webhook',
        config: {
          url: 'http://127.0.0.1:9/in',
          objects: [{ name: 'Things', fields: [{ name: 'id', type: 'string', isIdentifier: true }] }],
        },
      },
    })),
    x('GET', '/destinations/:id', (f) => ({ params: { id: f.retl.destination } }), R),
    x('PUT', '/destinations/:id', (f) => ({ params: { id: f.retl.destination }, body: { name: 'CRM hook' } }), R),
    x('GET', '/objects', (f) => ({ query: { destination_id: f.retl.destination, filter: 'touch' } }), R),
    x('GET', '/fields', (f) => ({ query: { destination_id: f.retl.destination, object_name: 'Touchpoints' } }), R),
    x('GET', '/syncs', () => ({ query: { limit: '10' } })),
    x('POST', '/syncs', (f) => ({ body: SYNC_BODY(f) }), R),
    x('GET', '/syncs/:id', (f) => ({ params: { id: f.retl.sync } }), R),
    x('PUT', '/syncs/:id', (f) => ({ params: { id: f.retl.sync }, body: { name: 'Touchpoints' } }), R),
    x('POST', '/sync/run', (f) => ({ body: { syncId: f.retl.sync, fullResync: false } }), R),
    x('POST', '/sync/toggle', (f) => ({ body: { syncId: f.retl.sync, enabled: true } }), R),
    x('GET', '/runs', (f) => ({ query: { sync_id: f.retl.sync, status: 'succeeded', limit: '10' } }), R),
    x('GET', '/runs/:id', (f) => ({ params: { id: f.retl.run } }), R),
    x('GET', '/dlq', (f) => ({ query: { sync_id: f.retl.sync, include_resolved: 'true' } }), R),
    x('GET', '/dlq/stats', (f) => ({ query: { sync_id: f.retl.sync } }), R),
    x('POST', '/dlq/resolve', (f) => ({ body: { ids: [f.retl.dlq], reason: 'skipped', note: 'checked' } }), R),
    x('GET', '/dlq/:id', (f) => ({ params: { id: f.retl.dlq } }), R),
    x('DELETE', '/runs/:id', (f) => ({ params: { id: f.retl.run } }), R),
    x('DELETE', '/syncs/:id', (f) => ({ params: { id: f.retl.sync } }), R),
    x('DELETE', '/destinations/:id', (f) => ({ params: { id: f.retl.destination } }), R),
  ];
}

const A = '/admin/accounts/:slug';
const ADMIN: Endpoint[] = [
  e('admin', 'POST', '/admin/accounts', () => ({
    body: { slug: `acct-${Math.random().toString(16).slice(2, 10)}`, name: 'New Co', plan: 'basic' },
  })),
  e('admin', 'GET', '/admin/accounts'),
  e('admin', 'GET', A, (f) => ({ params: { slug: f.slug } })),
  e('admin', 'PATCH', A, (f) => ({ params: { slug: f.slug }, body: { name: `Account ${f.slug}` } })),
  e('admin', 'POST', `${A}/users`, (f) => ({
    params: { slug: f.slug },
    body: { username: `u-${Math.random().toString(16).slice(2, 10)}`, email: 'new@example.com', role: 'advisor' },
  })),
  e('admin', 'GET', `${A}/users`, (f) => ({ params: { slug: f.slug } })),
  e('admin', 'GET', `${A}/users/:username`, (f) => ({ params: { slug: f.slug, username: f.username } })),
  e('admin', 'PATCH', `${A}/users/:username`, (f) => ({
    params: { slug: f.slug, username: f.username },
    body: { assigned_clients: ['Acme Corp'] },
  })),
  e('admin', 'POST', `${A}/users/:username/keys`, (f) => ({
    params: { slug: f.slug, username: f.username },
    body: { name: `k-${Math.random().toString(16).slice(2, 10)}` },
  })),
  e('admin', 'GET', `${A}/users/:username/keys`, (f) => ({ params: { slug: f.slug, username: f.username } })),
  e('admin', 'POST', `${A}/spreadsheets/:sheet_name/import`, (f) => ({
    params: { slug: f.slug, sheet_name: 'Custom Fees' },
    query: { year: '2025' },
    raw: { type: 'text/csv', text: 'Client Name,Fee\nAcme Corp,100\n' },
  })),
  e('admin', 'GET', `${A}/spreadsheets`, (f) => ({ params: { slug: f.slug } })),
  e('admin', 'POST', `${A}/events`, (f) => ({
    params: { slug: f.slug },
    body: [{ itemId: f.fp.itemId, summary: 'Annual forum', startDate: '2030-06-15' }],
  })),
  e('admin', 'POST', `${A}/planfix/signing-key`, (f) => ({ params: { slug: f.slug } })),
  e('admin', 'DELETE', `${A}/planfix/signing-key`, (f) => ({ params: { slug: f.slug } })),
  e('admin', 'GET', `${A}/planfix/usage`, (f) => ({ params: { slug: f.slug } })),
  e('admin', 'PATCH', `${A}/planpoint/projects/:id`, (f) => ({
    params: { slug: f.slug, id: f.planpoint.project },
    body: { paused: { value: false } },
  })),
  e('admin', 'GET', '/admin/reverse-etl/status'),
  e('admin', 'DELETE', `${A}/events/:itemId`, (f) => ({ params: { slug: f.slug, itemId: String(f.fp.spareItemId) } })),
  e('admin', 'DELETE', `${A}/spreadsheets/:sheet_name`, (f) => ({ params: { slug: f.slug, sheet_name: 'Custom Fees' } })),
  e('admin', 'DELETE', `${A}/users/:username/keys/:name`, (f) => ({
    params: { slug: f.slug, username: f.username, name: f.spareKeyName },
  })),
];

export const CATALOGUE: Endpoint[] = [
  ...PLANSYNC,
  ...FORWARD_PLANNER,
  ...PLANFIX,
  ...PLANPOINT,
  ...reverseEtl('/api/reverse-etl'),
  ...reverseEtl('/v1/api/reverse-etl'),
  ...ADMIN,
];

/** `METHOD /route` of every route the app's Express router serves, catch-alls (404/405 answers) left out. */
export function servedRoutes(app: NestExpressApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
  const out = new Set<string>();
  for (const layer of (express.router ?? express._router)!.stack) {
    if (!layer.route || layer.route.path.includes('{*')) continue;
    const methods = Object.keys(layer.route.methods);
    // A route for every method is a protocol's single entry point (Planfix reads the body of any method)
    if (methods.length > 20) out.add(`ALL ${layer.route.path}`);
    else for (const m of methods) out.add(`${m.toUpperCase()} ${layer.route.path}`);
  }
  return [...out].filter((r) => !NOT_PROTOCOL_ROUTES.test(r)).sort();
}
interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Routes served but not catalogued, catalogued but not served, and Planfix methods without an entry. */
export function catalogueGaps(app: NestExpressApplication): { uncatalogued: string[]; unserved: string[]; planfixMissing: string[] } {
  const served = servedRoutes(app);
  const catalogued = new Set(CATALOGUE.filter((x) => x.protocol !== 'planfix').map((x) => `${x.method} ${x.route}`));
  catalogued.add('ALL /xml');
  const planfix = new Set(CATALOGUE.filter((x) => x.protocol === 'planfix').map((x) => x.method));
  return {
    uncatalogued: served.filter((r) => !catalogued.has(r)),
    unserved: [...catalogued].filter((r) => !served.includes(r)),
    planfixMissing: PLANFIX_METHODS.filter((m) => !planfix.has(m)),
  };
}

/** The credential headers of a protocol for the fixture's account (`n` spreads reverse-ETL calls over its keys). */
export function credentialOf(protocol: WireProtocol, f: AccountFixture, n = 0): Record<string, string> {
  switch (protocol) {
    case 'plansync':
      return { 'X-API-Key': f.key };
    case 'forward-planner':
      return { Authorization: `Bearer ${f.fp.access}` };
    case 'planfix':
      return { Authorization: `Basic ${Buffer.from(`${f.key}:${f.key}`).toString('base64')}` };
    case 'planpoint':
      return { Authorization: `Bearer ${f.key}` };
    case 'reverse-etl':
      return { Authorization: `Bearer ${f.retlKeys[n % f.retlKeys.length]}` };
    case 'admin':
      return { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  }
}

export function pathOf(route: string, params: Record<string, string> = {}, encode: (v: string) => string = encodeURIComponent): string {
  return route.replace(/:(\w+)/g, (_m, name: string) => {
    if (!(name in params)) throw new Error(`no value for :${name} of ${route}`);
    return encode(params[name]);
  });
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Planfix `<request>` from a tree of children, `account` among them (arrays repeat the element); leaves are escaped unless `raw`. */
export function planfixXml(method: string, tree: Json, raw = false): string {
  const inner = (name: string, v: Json): string => {
    if (Array.isArray(v)) return v.map((x) => inner(name, x)).join('');
    if (v !== null && typeof v === 'object')
      return `<${name}>${Object.entries(v)
        .map(([k, c]) => inner(k, c))
        .join('')}</${name}>`;
    const text = v === null ? '' : String(v);
    return `<${name}>${raw ? text : xmlEscape(text)}</${name}>`;
  };
  const children =
    tree !== null && typeof tree === 'object' && !Array.isArray(tree)
      ? Object.entries(tree)
          .map(([k, v]) => inner(k, v))
          .join('')
      : '';
  return `<?xml version="1.0" encoding="UTF-8"?><request method="${method}">${children}</request>`;
}
