import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { TEST_ADMIN_TOKEN } from '../support/test-app.js';

/** What supertest drives: the app's HTTP server. */
type App = Parameters<typeof request>[0];

/** A slug, username or name nobody else in this run has: tests isolate themselves by fresh records. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export function admin(server: App) {
  const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  return {
    get: (path: string) => request(server).get(path).set(auth),
    post: (path: string, body?: unknown) =>
      request(server)
        .post(path)
        .set(auth)
        .send(body as object),
    patch: (path: string, body?: unknown) =>
      request(server)
        .patch(path)
        .set(auth)
        .send(body as object),
    delete: (path: string) => request(server).delete(path).set(auth),
  };
}

export interface AccountWithKey {
  slug: string;
  username: string;
  email: string;
  keyName: string;
  key: string;
}

/** A fresh account with one admin user and one API key, made through the Admin API. */
export async function createAccountWithKey(
  server: App,
  options: { plan?: string; role?: string; assignedClients?: string[]; password?: string } = {},
): Promise<AccountWithKey> {
  const api = admin(server);
  const slug = unique('acct');
  const username = unique('user');
  const email = `${username}@example.com`;
  await api.post('/admin/accounts', { slug, name: `Account ${slug}`, plan: options.plan ?? 'pro' }).expect(201);
  await api
    .post(`/admin/accounts/${slug}/users`, {
      username,
      email,
      role: options.role ?? 'admin',
      assigned_clients: options.assignedClients ?? [],
      ...(options.password ? { password: options.password } : {}),
    })
    .expect(201);
  const keyName = 'primary';
  const res = await api.post(`/admin/accounts/${slug}/users/${username}/keys`, { name: keyName }).expect(201);
  return { slug, username, email, keyName, key: res.body.key as string };
}
