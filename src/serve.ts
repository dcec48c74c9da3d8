import { type Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Request, type Response } from 'express';
import { ConfigError, loadConfig } from '#config';
import { DomainError } from '#errors';
import { type AppModuleOptions } from './app.module.js';
import { createApp } from './create-app.js';
import { DemoSeedService } from './demo/demo-seed.service.js';
import { startBanner } from './demo/start-banner.js';
import { answerInProtocolFormat } from './pipeline/pipeline.module.js';
import { ProtocolRegistry } from './pipeline/protocol.js';

/** In-flight requests (uploads included) get this long to finish after SIGTERM/SIGINT. */
const DRAIN_MS = 10_000;
/** How long kept-alive connections may still bring a request (served, Connection: close) before idle ones are closed. */
const IDLE_GRACE_MS = 1_000;
/**
 * An idle kept-alive connection is closed after this long. Node's 5 s default races clients that keep connections
 * with no idle limit of their own (Python requests, Go, Java pools; a burst leaves many idle): a request written as
 * the server closes is reset (ECONNRESET, seen by the bench's open loop after a stall). 65 s outlasts the usual 60 s
 * idle timeout of the load balancers in front, so they close first; headers must still arrive within 66 s.
 */
const KEEP_ALIVE_MS = 65_000;
/** The empty, migrated embedded database that `npm run build` prepares: a new DATA_DIR starts as a copy of it. */
const PREPARED_STORE = fileURLToPath(new URL('../prepared-store', import.meta.url));

async function start(options: AppModuleOptions): Promise<void> {
  let config;
  try {
    config = loadConfig();
    if (config.store.kind === 'embedded') config.store.template ??= PREPARED_STORE;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }

  const app = await createApp(config, options);
  // After SIGTERM: 'closing' while kept-alive connections may still bring requests (the listener is closed): they are
  // served as usual, with Connection: close, so that clients and load balancers move to another instance having lost
  // nothing (a refusal here would reach a Planfix client as an error: its "unavailable" is an HTTP 200 envelope that
  // no balancer retries). 'closed' once the app is closing: a request that still slips in is refused as each
  // protocol refuses an unavailable service (503 + Retry-After; Planfix's 0011), never half served.
  let drain: 'serving' | 'closing' | 'closed' = 'serving';
  app.use((req: Request, res: Response, next: () => void) => {
    if (drain === 'serving') return next();
    res.setHeader('Connection', 'close');
    if (drain === 'closing') return next();
    answerInProtocolFormat(app.get(ProtocolRegistry), req, res, DomainError.unavailable('the gateway is shutting down', 5));
  });
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  // A request (headers and body) that a client trickles in is cut off a little after the gateway's own answer time,
  // not after Node's 300 s: bodies that are discarded unread (over a cap, refused before auth) are bounded in time too.
  server.requestTimeout = config.requestTimeoutMs + 10_000;
  await app.listen(config.port, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  process.stdout.write(startBanner(config, `http://${host}:${port}`, app.get(DemoSeedService).seeded));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    drain = 'closing';
    process.stdout.write(`${signal}: finishing in-flight requests (up to ${DRAIN_MS / 1000} s)\n`);
    const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    force.unref();
    // New connections are refused at once: close the listener only (http's close() would also drop idle kept-alive
    // connections, resetting any request a client is writing on one at that moment). Those connections are served
    // with Connection: close for a moment; then app.close() drops the idle rest and waits for the in-flight.
    Reflect.apply(NetServer.prototype.close, server, []);
    await new Promise((r) => setTimeout(r, IDLE_GRACE_MS));
    drain = 'closed';
    try {
      await app.close(); // closes idle connections, waits for in-flight requests, then closes the store last
      process.exit(0);
    } catch (e) {
      process.stderr.write(`shutdown failed: ${String(e)}\n`);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * Runs the gateway as a process: reads the configuration, listens, drains on SIGTERM/SIGINT, exits 1 when it cannot
 * start. `src/main.ts` runs it as it ships; the bench's gateway (bench/baseline-gateway.ts) adds its baseline routes.
 */
export function serve(options: AppModuleOptions = {}): void {
  start(options).catch((e: unknown) => {
    process.stderr.write(`Plangate failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
