import { randomInt } from 'node:crypto';
import request from 'supertest';
import { admin, createAccountWithKey, unique, type AccountWithKey } from './admin.factory.js';

type App = Parameters<typeof request>[0];

export const PLANPOINT_PASSWORD = 'planpoint password 123';

/** A client address of its own per call: limiter counters are per IP and shared through the store with other tests. */
const prefix = randomInt(1, 250);
let n = 0;
export function freshIp(): string {
  n++;
  return `10.${prefix}.${(n >> 8) & 255}.${n & 255}`;
}

export interface PlanpointAccount extends AccountWithKey {
  password: string;
}

/** A fresh account with an admin user (password set) and an API key. */
export async function planpointAccount(server: App, role = 'admin'): Promise<PlanpointAccount> {
  const a = await createAccountWithKey(server, { role, password: PLANPOINT_PASSWORD });
  return { ...a, password: PLANPOINT_PASSWORD };
}

/** Another user of the account with the given role and a key. */
export async function planpointUser(server: App, slug: string, role: string): Promise<{ username: string; key: string }> {
  const username = unique('pp');
  await admin(server)
    .post(`/admin/accounts/${slug}/users`, { username, email: `${username}@example.com`, role, password: PLANPOINT_PASSWORD })
    .expect(201);
  const res = await admin(server).post(`/admin/accounts/${slug}/users/${username}/keys`, { name: 'k' }).expect(201);
  return { username, key: res.body.key as string };
}

/** Planpoint calls with a credential (`Bearer <token>` unless `raw`), each from a fresh client IP. */
export function pp(server: App, token?: string, options: { raw?: boolean; ip?: string } = {}) {
  const auth = (r: request.Test) => {
    r.set('X-Forwarded-For', options.ip ?? freshIp());
    if (token !== undefined) r.set('Authorization', options.raw ? token : `Bearer ${token}`);
    return r;
  };
  return {
    get: (path: string) => auth(request(server).get(path)),
    post: (path: string, body?: unknown) => auth(request(server).post(path)).send(body as object),
    patch: (path: string, body?: unknown) => auth(request(server).patch(path)).send(body as object),
    delete: (path: string) => auth(request(server).delete(path)),
    put: (path: string, body?: unknown) => auth(request(server).put(path)).send(body as object),
  };
}
