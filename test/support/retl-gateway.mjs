// A gateway process for the reverse-ETL crash test: the built service (npm run build) with the run engine's lease,
// heartbeat, scan and poll shortened by TEST_RETL_* variables (test-only; the service itself has no such variables).
// It serves no HTTP: it only runs the engine against DATABASE_URL, prints "ready", and is killed by the test.
import 'reflect-metadata';
import { loadConfig } from '../../dist/libs/config/src/index.js';
import { createApp } from '../../dist/src/create-app.js';

const ms = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const config = loadConfig();
config.retl = {
  ...config.retl,
  leaseMs: ms('TEST_RETL_LEASE_MS', config.retl.leaseMs),
  heartbeatMs: ms('TEST_RETL_HEARTBEAT_MS', config.retl.heartbeatMs),
  scanMs: ms('TEST_RETL_SCAN_MS', config.retl.scanMs),
  pollMs: ms('TEST_RETL_POLL_MS', config.retl.pollMs),
};
const app = await createApp(config);
await app.init();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
