import request from 'supertest';
import { admin, type AccountWithKey } from './admin.factory.js';

type App = Parameters<typeof request>[0];

let nextItemId = 1_000_000;

/** An itemId nobody else in this run has used. */
export function newItemId(): number {
  return nextItemId++;
}

/** An event in the import shape (§4.2), with the fields a test cares about. */
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
  token: string;
  refreshToken: string;
  userId: number;
  productId: number;
  email: string;
}

/** Logs in as JSON and returns the five fields. */
export async function fpLogin(server: App, acct: Pick<AccountWithKey, 'username' | 'key'>): Promise<FpSession> {
  const res = await request(server).post('/api/v2/auth').send({ username: acct.username, password: acct.key });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as FpSession;
}

/** A Forward Planner client with an access token. */
export function fp(server: App, token: string) {
  return { get: (path: string) => request(server).get(path).set('Authorization', `Bearer ${token}`) };
}
