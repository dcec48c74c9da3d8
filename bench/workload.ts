import { randomBytes } from 'node:crypto';
import { adminCall, BENCH_ADMIN_TOKEN } from './gateway-process.js';

/**
 * A mixed workload over every protocol against a running gateway: an account provisioned through the Admin API, one
 * request builder per protocol, and closed-loop workers that record every answer. Shared by the soak (`npm run soak`)
 * and the fault-injection suite (`npm run test:faults`).
 */

export const PROTOCOLS = ['plansync', 'forward-planner', 'planfix', 'planpoint', 'reverse-etl', 'admin'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface WorkloadAccount {
  slug: string;
  username: string;
  /** Keys of one admin user: requests rotate over them, so that per-key limits are not what the load measures. */
  keys: string[];
  /** Forward Planner access token (15 minutes; renewed by the workload as needed). */
  fpToken: string;
  fpTokenAt: number;
  projectId: string;
}

export interface WorkloadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Answer {
  protocol: Protocol;
  name: string;
  /** ms since the workload started */
  at: number;
  ms: number;
  /** HTTP status, or 0 when no answer came (see `error`). */
  status: number;
  /** The protocol's own success (Planfix: HTTP 200 with status="ok"). */
  ok: boolean;
  retryAfter?: string;
  /** Planfix error code, or the first bytes of a non-2xx body. */
  detail?: string;
  /** A transport failure: ECONNREFUSED, ECONNRESET, timeout... */
  error?: string;
}

/** An account with `keys` keys of an admin user, generous per-account limits, a sheet, events and a project. */
export async function provisionAccount(
  url: string,
  options: { prefix?: string; keys?: number; events?: number } = {},
): Promise<WorkloadAccount> {
  const slug = `${options.prefix ?? 'load'}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const username = `${slug}-admin`;
  await adminCall(url, 'POST', '/admin/accounts', { slug, name: `Load ${slug}`, plan: 'premium' });
  await adminCall(url, 'PATCH', `/admin/accounts/${slug}`, {
    settings: {
      plansync: { requests_per_minute: 100_000 },
      forward_planner: { limit_per_minute: 1_000_000, limit_per_hour: 1_000_000, limit_per_day: 1_000_000 },
      planfix: { daily_quota: 2_000_000_000, rate_per_second: 1_000_000, burst: 1_000 },
    },
  });
  await adminCall(url, 'POST', `/admin/accounts/${slug}/users`, { username, email: `${username}@load.test`, role: 'admin' });
  const keys: string[] = [];
  for (let i = 0; i < (options.keys ?? 10); i++)
    keys.push((await adminCall(url, 'POST', `/admin/accounts/${slug}/users/${username}/keys`, { name: `load-${i}` })).key as string);
  const csv = ['Client Name,Plan Assets,Participants', ...Array.from({ length: 50 }, (_, i) => `Client ${i},${1000 * i}.5,${i}`)].join(
    '\n',
  );
  await adminCall(url, 'POST', `/admin/accounts/${slug}/spreadsheets/Client%20List/import?year=2025`, csv, 'text/csv');
  const events = Array.from({ length: options.events ?? 50 }, (_, i) => ({
    itemId: 500_000 + i,
    summary: `Load event ${i}`,
    startDate: '2030-06-15',
  }));
  await adminCall(url, 'POST', `/admin/accounts/${slug}/events`, events);
  const project = await fetch(`${url}/api/projects`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${keys[0]}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: `Tower ${slug}` }),
  });
  if (!project.ok) throw new Error(`planpoint project: ${project.status} ${await project.text()}`);
  const projectId = ((await project.json()) as { _id: string })._id;
  const account: WorkloadAccount = { slug, username, keys, fpToken: '', fpTokenAt: 0, projectId };
  await renewFpToken(url, account);
  return account;
}

async function renewFpToken(url: string, a: WorkloadAccount): Promise<void> {
  const res = await fetch(`${url}/api/v2/auth`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: a.username, password: a.keys[0] }),
  });
  if (!res.ok) throw new Error(`forward planner auth: ${res.status} ${await res.text()}`);
  a.fpToken = ((await res.json()) as { token: string }).token;
  a.fpTokenAt = Date.now();
}

const xml = (slug: string, method: string, inner = '') => `<request method="${method}"><account>${slug}</account>${inner}</request>`;

/** One request per protocol; `n` varies the request (key rotation, reads vs writes when `writes` is on). */
export function requestFor(protocol: Protocol, a: WorkloadAccount, n: number, writes = false): { name: string; req: WorkloadRequest } {
  const key = a.keys[n % a.keys.length];
  const write = writes && n % 4 === 3;
  const json = { 'Content-Type': 'application/json' };
  switch (protocol) {
    case 'plansync':
      return write
        ? {
            name: 'POST touchpoints',
            req: {
              method: 'POST',
              path: '/api/v1/touchpoints?year=2025',
              headers: { 'X-API-Key': key, ...json },
              body: JSON.stringify({
                company_name: `Company ${n % 20}`,
                touchpoints: `call ${n}`,
                reporting_quarter: 'Q1',
                reporting_year: '2025',
              }),
            },
          }
        : {
            name: 'GET sheet data',
            req: { method: 'GET', path: '/api/v1/spreadsheets/Client%20List/data?year=2025', headers: { 'X-API-Key': key } },
          };
    case 'forward-planner':
      return {
        name: 'GET events/date',
        req: { method: 'GET', path: '/api/v2/events/date?date=20300615&limit=50', headers: { Authorization: `Bearer ${a.fpToken}` } },
      };
    case 'planfix': {
      const basic = { Authorization: `Basic ${Buffer.from(`${key}:${key}`).toString('base64')}`, 'Content-Type': 'application/xml' };
      return write
        ? {
            name: 'task.add',
            req: {
              method: 'POST',
              path: '/xml/',
              headers: basic,
              body: xml(a.slug, 'task.add', `<task><title>Load task ${n}</title></task>`),
            },
          }
        : {
            name: 'task.getList',
            req: { method: 'POST', path: '/xml/', headers: basic, body: xml(a.slug, 'task.getList', '<pageSize>20</pageSize>') },
          };
    }
    case 'planpoint':
      return write
        ? {
            name: 'PATCH project',
            req: {
              method: 'PATCH',
              path: `/api/projects/${a.projectId}`,
              headers: { Authorization: `Bearer ${key}`, ...json },
              body: JSON.stringify({ description: `revision ${n}` }),
            },
          }
        : { name: 'GET projects/mine', req: { method: 'GET', path: '/api/projects/mine', headers: { Authorization: `Bearer ${key}` } } };
    case 'reverse-etl':
      return {
        name: 'GET syncs',
        req: { method: 'GET', path: '/api/reverse-etl/syncs?limit=20', headers: { Authorization: `Bearer ${key}` } },
      };
    case 'admin':
      return {
        name: 'GET account',
        req: { method: 'GET', path: `/admin/accounts/${a.slug}`, headers: { Authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } },
      };
  }
}

/** Sends one request; never throws (a transport failure or a timeout is an Answer with status 0). */
export async function send(
  url: string,
  protocol: Protocol,
  name: string,
  req: WorkloadRequest,
  startedAt: number,
  timeoutMs = 10_000,
): Promise<Answer> {
  const t0 = Date.now();
  const base = { protocol, name, at: t0 - startedAt };
  try {
    const res = await fetch(url + req.path, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    const planfixCode = protocol === 'planfix' ? /<code>(\d+)<\/code>/.exec(text)?.[1] : undefined;
    const ok = protocol === 'planfix' ? res.status === 200 && text.includes('status="ok"') : res.status < 300;
    return {
      ...base,
      ms: Date.now() - t0,
      status: res.status,
      ok,
      retryAfter: res.headers.get('retry-after') ?? undefined,
      detail: ok ? undefined : (planfixCode ?? text.slice(0, 200)),
    };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return {
      ...base,
      ms: Date.now() - t0,
      status: 0,
      ok: false,
      error: err.name === 'TimeoutError' ? 'timeout' : (err.cause?.code ?? err.message),
    };
  }
}

/**
 * Closed-loop workers, `concurrency` per protocol, each sending its protocol's requests back to back (with `pauseMs`
 * between them) until `stop()`. Every answer is kept in `answers` (or handed to `onAnswer` when set).
 */
export class Workload {
  readonly answers: Answer[] = [];
  readonly startedAt = Date.now();
  private running = true;
  /** Per protocol, so that each protocol's requests rotate over all the keys. */
  private readonly turns = new Map<Protocol, number>();
  private readonly workers: Promise<void>[] = [];

  constructor(
    private readonly url: string,
    private readonly account: WorkloadAccount,
    private readonly options: {
      protocols?: readonly Protocol[];
      concurrency?: number;
      pauseMs?: number;
      writes?: boolean;
      timeoutMs?: number;
      onAnswer?: (a: Answer) => void;
    } = {},
  ) {
    for (const protocol of options.protocols ?? PROTOCOLS) {
      for (let i = 0; i < (options.concurrency ?? 1); i++) this.workers.push(this.worker(protocol));
    }
  }

  private async worker(protocol: Protocol): Promise<void> {
    while (this.running) {
      if (protocol === 'forward-planner' && Date.now() - this.account.fpTokenAt > 10 * 60_000) {
        this.account.fpTokenAt = Date.now(); // one renewal at a time
        await renewFpToken(this.url, this.account).catch(() => (this.account.fpTokenAt = 0));
      }
      const n = this.turns.get(protocol) ?? 0;
      this.turns.set(protocol, n + 1);
      const { name, req } = requestFor(protocol, this.account, n, this.options.writes);
      const answer = await send(this.url, protocol, name, req, this.startedAt, this.options.timeoutMs);
      if (this.options.onAnswer) this.options.onAnswer(answer);
      else this.answers.push(answer);
      // after a transport failure, do not spin: a refused connection answers in microseconds
      const pause = answer.status === 0 ? Math.max(this.options.pauseMs ?? 0, 50) : (this.options.pauseMs ?? 0);
      if (pause) await new Promise((r) => setTimeout(r, pause));
    }
  }

  /** Stops the workers and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }
}

/**
 * A PlanSync upload of `size` generated bytes, streamed in 64 KiB chunks (`pauseMs` after each: a slow client), as
 * multipart with the file last. Resolves with the answer; rejects when the connection breaks.
 */
export async function uploadFile(
  url: string,
  key: string,
  size: number,
  options: { filename?: string; pauseMs?: number; onChunk?: (sent: number) => void } = {},
): Promise<Response> {
  const boundary = 'loadBoundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="company_name"\r\n\r\nAcme\r\n--${boundary}\r\nContent-Disposition: form-data; name="document_type"\r\n\r\nReport\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${options.filename ?? 'load.pdf'}"\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = randomBytes(64 * 1024);
  async function* body() {
    yield head;
    for (let sent = 0; sent < size; sent += chunk.length) {
      yield sent + chunk.length <= size ? chunk : chunk.subarray(0, size - sent);
      options.onChunk?.(Math.min(size, sent + chunk.length));
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
    yield tail;
  }
  // Pulled one chunk at a time as the connection takes it (no read-ahead buffer): `onChunk` then counts bytes handed
  // to the socket. Through Readable.toWeb the generator ran up to 2 MB ahead of the connection, so "1 MB sent" could
  // be seen before the connection was even open (a SIGTERM test then met a refused connection, not a drain).
  const chunks = body();
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return fetch(`${url}/api/v1/files/upload`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    body: stream,
    duplex: 'half',
  } as RequestInit);
}
