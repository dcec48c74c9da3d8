import { Agent, type Server } from 'node:http';
import { join } from 'node:path';
import { StoreService } from '#store';
import { RunEngine } from '#syncs';
import { exchange, type RawResponse } from '../clients/http-transport.js';
import { listen } from '../factories/planfix.factory.js';
import { RETL_TEST_JWT_SECRET } from '../factories/reverse-etl.factory.js';
import { makeAccountFixture, type AccountFixture } from './hardening-fixture.js';
import { storeSnapshotter, type Snapshot } from './store-snapshot.js';
import { startTestApp, type TestApp } from './test-app.js';
import { WebhookReceiver } from './webhook-receiver.js';

/**
 * The gateway the hardening suites drive: listening on a free port (raw requests with duplicated headers and odd
 * bytes), client addresses from X-Forwarded-For (each request its own, so per-IP limits stay out of the answers),
 * one run worker while the fixtures are made, then none, so that nothing writes in the background while the suites
 * compare snapshots.
 */
export interface HardeningApp {
  t: TestApp;
  server: Server;
  base: string;
  receiver: WebhookReceiver;
  fixture(retlKeys?: number): Promise<AccountFixture>;
  /** Stops the run engine: from now on every write is a request's. */
  quiesce(): Promise<void>;
  send(req: { method: string; path: string; headers?: Record<string, string | string[]>; body?: Buffer | string }): Promise<RawResponse>;
  snapshot(slugs: string[]): Promise<Snapshot>;
  close(): Promise<void>;
}

export async function startHardeningApp(): Promise<HardeningApp> {
  const t = await startTestApp({ env: { TRUST_PROXY: 'true', RETL_WORKERS: '1', JWT_SECRET: RETL_TEST_JWT_SECRET } });
  const server = t.app.getHttpServer() as Server;
  const base = await listen(server);
  const receiver = new WebhookReceiver();
  const hookUrl = await receiver.start();
  receiver.reply = () => ({ status: 422, body: { message: 'refused by the test destination' } });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const snap = await storeSnapshotter(t.app.get(StoreService), join(t.config.dataDir, 'files'));
  let ip = 0;
  const prefix = 100 + Math.floor(Math.random() * 100);
  return {
    t,
    server,
    base,
    receiver,
    fixture: (retlKeys = 3) => makeAccountFixture(server, hookUrl, retlKeys),
    quiesce: () => t.app.get(RunEngine).onModuleDestroy(),
    send: (req) => {
      ip++;
      const headers = { 'X-Forwarded-For': `10.${prefix}.${(ip >> 8) & 255}.${ip & 255}`, ...req.headers };
      return exchange(base + req.path, { method: req.method, headers, body: req.body, agent });
    },
    snapshot: snap,
    async close() {
      agent.destroy();
      await receiver.stop();
      await t.close();
    },
  };
}

/** Which tables or files differ between two snapshots. */
export function snapshotDiff(a: Snapshot, b: Snapshot): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(a.tables), ...Object.keys(b.tables)])) if (a.tables[k] !== b.tables[k]) out.push(`table ${k}`);
  for (const k of new Set([...Object.keys(a.files), ...Object.keys(b.files)])) if (a.files[k] !== b.files[k]) out.push(`file ${k}`);
  return out;
}
