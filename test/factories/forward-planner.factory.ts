import { createHmac } from 'node:crypto';
import request from 'supertest';
import { admin, type AccountWithKey } from './admin.factory.js';

type App = Parameters<typeof request>[0];

let nextItemId = 1_000_000 + Math.floor(Math.random() * 1_000_000) * 100;
// a random start: a run repeated within a minute on the same PostgreSQL database must not find its IPs' buckets spent
let nextIp = 1 + Math.floor(Math.random() * 8_000_000);

/** An itemId nobody else in this run has used. */
export function newItemId(): number {
  return nextItemId++;
}

/**
 * A client IP of its own (sent as X-Forwarded-For to an app started with TRUST_PROXY=true): the auth and public
 * buckets count per IP, and each test keeps to its own.
 */
export function newIp(): string {
  const n = nextIp++;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** An event in the import shape (docs/forward-planner.md), with the fields a test cares about. */
export function fpEvent(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    itemId: newItemId(),
    summary: 'Annual forum on financial crime',
    description: 'A forum',
    startDate: '2030-06-15',
    ...fields,
  };
}

export function importEvents(server: App, slug: string, events: unknown) {
  return admin(server).post(`/admin/accounts/${slug}/events`, events);
}

export interface FpSession {
  userId: number;
  productId: number;
  email: string;
  token: string;
  refreshToken: string;
}

/** A Forward Planner client from one client IP. */
export function fpClient(server: App, ip = newIp()) {
  const withIp = (t: request.Test) => t.set('X-Forwarded-For', ip);
  return {
    ip,
    get: (path: string, token?: string) => {
      const t = withIp(request(server).get(path));
      return token === undefined ? t : t.set('Authorization', `Bearer ${token}`);
    },
    post: (path: string) => withIp(request(server).post(path)),
    login: (username: string, password: string) => withIp(request(server).post('/api/v2/auth')).send({ username, password }),
    loginForm: (username: string, password: string) =>
      withIp(request(server).post('/api/v2/auth')).type('form').send({ username, password }),
    renew: (refreshToken: string) => withIp(request(server).post('/api/v2/auth/renew')).send({ refreshToken }),
    renewForm: (refreshToken: string) => withIp(request(server).post('/api/v2/auth/renew')).type('form').send({ refreshToken }),
  };
}

/** Logs in as JSON and returns the five fields. */
export async function fpLogin(server: App, acct: Pick<AccountWithKey, 'username' | 'key'>): Promise<FpSession> {
  const res = await fpClient(server).login(acct.username, acct.key);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as FpSession;
}

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** A JWT made by hand, for the forged and odd tokens a real library would refuse to make. */
export function handMadeJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  secret: string,
  alg: 'HS256' | 'HS512' | 'none' = 'HS256',
): string {
  const head = `${b64url(header)}.${b64url(claims)}`;
  if (alg === 'none') return `${head}.`;
  const signature = createHmac(alg === 'HS256' ? 'sha256' : 'sha512', Buffer.from(secret, 'utf8'))
    .update(head)
    .digest('base64url');
  return `${head}.${signature}`;
}

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}
