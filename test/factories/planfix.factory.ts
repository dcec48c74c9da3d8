import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { basic, exchange, type RawResponse } from '../clients/http-transport.js';
import { admin, createAccountWithKey, type AccountWithKey } from './admin.factory.js';

export const PLANFIX_PASSWORD = 'correct horse battery staple';

export interface PlanfixAccount extends AccountWithKey {
  password: string;
}

/** Listens on a free local port (the clients speak plain HTTP, as the legacy ones do) and answers the /xml/ URL. */
export async function listen(server: Server): Promise<string> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A fresh account for Planfix calls: an admin user with a password and a key; the per-second bucket off unless the
 * test is about it (the spec's 1 request/second would slow every test), plus any other Planfix settings.
 */
export async function planfixAccount(
  server: Server,
  options: { plan?: string; role?: string; planfix?: Record<string, unknown> } = {},
): Promise<PlanfixAccount> {
  const a = await createAccountWithKey(server, { plan: options.plan ?? 'pro', role: options.role ?? 'admin', password: PLANFIX_PASSWORD });
  await admin(server)
    .patch(`/admin/accounts/${a.slug}`, { settings: { planfix: { rate_per_second: 0, ...options.planfix } } })
    .expect(200);
  return { ...a, password: PLANFIX_PASSWORD };
}

/** Another user (role given) of the account, with a key. */
export async function addUser(
  server: Server,
  slug: string,
  username: string,
  role = 'advisor',
): Promise<{ username: string; key: string }> {
  await admin(server)
    .post(`/admin/accounts/${slug}/users`, { username, email: `${username}@example.com`, role, password: PLANFIX_PASSWORD })
    .expect(201);
  const res = await admin(server).post(`/admin/accounts/${slug}/users/${username}/keys`, { name: 'k' }).expect(201);
  return { username, key: res.body.key as string };
}

let ip = 0;
/** A client address of its own for each raw call: the failed-attempt limit is per client IP (TRUST_PROXY is on). */
export function nextIp(): string {
  ip++;
  return `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`;
}

export interface RawOptions {
  /** `user:password` for Basic; null for none. */
  auth?: string | null;
  method?: string;
  path?: string;
  contentType?: string;
  ip?: string;
  headers?: Record<string, string>;
}

/** A raw request to the Planfix entry point. */
export function xmlCall(base: string, body: string | Buffer | undefined, options: RawOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { 'X-Forwarded-For': options.ip ?? nextIp(), ...options.headers };
  if (options.auth) {
    const colon = options.auth.indexOf(':');
    headers.Authorization = basic(options.auth.slice(0, colon), options.auth.slice(colon + 1));
  }
  if (options.contentType) headers['Content-Type'] = options.contentType;
  return exchange(`${base}${options.path ?? '/xml/'}`, { method: options.method ?? 'POST', headers, body });
}

/** `<request method="…"><account>…</account>…</request>` in token mode (`key:key`). */
export function tokenCall(
  base: string,
  acct: { slug: string; key: string },
  method: string,
  inner = '',
  token = acct.key,
): Promise<RawResponse> {
  return xmlCall(base, `<request method="${method}"><account>${acct.slug}</account>${inner}</request>`, { auth: `${acct.key}:${token}` });
}

const LISTS = [
  'projects.project',
  'tasks.task',
  'actions.action',
  'contacts.contact',
  'users.user',
  'taskStatuses.taskStatus',
  'taskStatusSets.taskStatusSet',
];
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (_name, jpath) =>
    LISTS.some((l) => String(jpath) === `response.${l}`) || /\.(users\.user|notifiedList\.user|phones\.phone)$/.test(String(jpath)),
});

const ENVELOPE = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<response status="(ok|error)">[\s\S]*<\/response>$/;

/** Checks what every answer must be (docs/planfix.md) and parses it. */
export function answer(res: RawResponse): Record<string, any> {
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
  expect(res.headers['x-ratelimit-remaining']).toMatch(/^\d+$/);
  expect(res.headers['x-request-id']).toBeDefined();
  expect(res.text).toMatch(ENVELOPE);
  expect(res.text.slice(res.text.indexOf('\n') + 1)).not.toMatch(/>\s+</); // compact: no whitespace between elements
  expect(XMLValidator.validate(res.text)).toBe(true);
  return (parser.parse(res.text) as { response: Record<string, any> }).response;
}

export function ok(res: RawResponse): Record<string, any> {
  const r = answer(res);
  if (r['@status'] !== 'ok') throw new Error(`expected ok, got ${res.text}`);
  return r;
}

/** An error envelope with that 4-digit code (and HTTP 200). */
export function expectError(res: RawResponse, code: string, message?: string | RegExp): void {
  const r = answer(res);
  expect(res.text).toMatch(
    /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<response status="error"><code>\d{4}<\/code><message>[^<]+<\/message><\/response>$/,
  );
  expect({ code: r.code, text: res.text }).toEqual({ code, text: res.text });
  if (typeof message === 'string') expect(r.message).toBe(message);
  else if (message) expect(r.message).toMatch(message);
}
