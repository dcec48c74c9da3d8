import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { ConfigModule, loadConfig, type AppConfig } from '#config';
import { AccountsService, ApiKeysService, IdentityModule, IdentityService, UsersService } from '#identity';
import { Limiter, LimitsModule, LimitStorages, MemoryLimitStorage, type LimitPolicy } from '#limits';
import { openStore, runMigrations, StoreModule, StoreService } from '#store';
import { timeAmortized, timeSequential } from './measure.js';

/**
 * `npm run bench [-- --store pg] [--quick]`: the gateway's own costs, each beside its baseline measured in the same
 * run, reported as ratios. Writes bench/results.json. Never part of `npm test`.
 */

interface Scenario {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target?: string;
  pass?: boolean;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const storeArg = args.includes('--store') ? args[args.indexOf('--store') + 1] : 'embedded';
if (!['embedded', 'pg'].includes(storeArg)) {
  process.stderr.write('usage: npm run bench -- [--store embedded|pg] [--quick]\n');
  process.exit(2);
}
const PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';
const duration = quick ? 400 : 3000;

function configFor(extra: Record<string, string> = {}): AppConfig {
  const dataDir = mkdtempSync(join(tmpdir(), 'plangate-bench-'));
  const config = loadConfig({ DATA_DIR: dataDir, ADMIN_TOKEN: 'bench-admin-token-0123456789', LOG_LEVEL: 'silent', ...(storeArg === 'pg' ? { DATABASE_URL: PG_URL } : {}), ...extra });
  return config;
}

async function context(config: AppConfig) {
  const ref = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), StoreModule, IdentityModule, LimitsModule] }).compile();
  ref.useLogger(false);
  return ref.init();
}

async function redisAvailable(): Promise<boolean> {
  try {
    execFileSync('redis-cli', ['-u', REDIS_URL, 'ping'], { stdio: 'pipe', timeout: 2000 });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const scenarios: Scenario[] = [];
  const add = (s: Scenario) => {
    scenarios.push(s);
    const ratio = s.ratio === undefined ? '' : ` (×${s.ratio.toFixed(2)} of baseline ${s.baseline!.toFixed(1)} ${s.unit})`;
    process.stdout.write(`${s.name.padEnd(58)} ${s.value.toFixed(1).padStart(9)} ${s.unit}${ratio}${s.target ? `  target ${s.target}: ${s.pass ? 'PASS' : 'MISS'}` : ''}\n`);
  };

  // --- start of the embedded store: cold (initdb + migrations) and warm
  if (storeArg === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'plangate-bench-start-'));
    for (const kind of ['cold', 'warm']) {
      const t0 = performance.now();
      const opened = await openStore({ kind: 'embedded', dataDir: join(dir, 'pglite') });
      await runMigrations(opened.dataSource);
      const ms = performance.now() - t0;
      await opened.close();
      add({ name: `embedded store start (${kind}: open + migrations)`, value: ms, unit: 'ms' });
    }
    rmSync(dir, { recursive: true, force: true });
  }

  const config = configFor();
  const ctx = await context(config);
  const store = ctx.get(StoreService);
  const slug = `bench-${Date.now().toString(36)}`;
  await ctx.get(AccountsService).create({ slug, name: 'Bench', plan: 'premium' });
  await ctx.get(UsersService).create(slug, { username: `${slug}-u`, email: `${slug}@bench.test`, role: 'admin' });
  const { key } = await ctx.get(ApiKeysService).create(slug, `${slug}-u`, 'bench');
  const identity = ctx.get(IdentityService);

  // --- authenticate: a cached key (every request after the first) and an uncached lookup (one store query)
  const roundTrip = await timeSequential(() => store.query('SELECT 1'), duration);
  const cached = await timeAmortized(() => identity.authenticateKey(key), 20_000, quick ? 3 : 10);
  add({ name: 'authenticate(key), cached principal', value: cached, unit: 'µs/call', target: '≤ 5 µs', pass: cached <= 5 });
  const uncached = await timeSequential(() => {
    identity.invalidate();
    return identity.authenticateKey(key);
  }, duration);
  add({ name: 'authenticate(key), store lookup', value: uncached.meanUs, unit: 'µs/call', baseline: roundTrip.meanUs, ratio: uncached.meanUs / roundTrip.meanUs });

  // --- limiter admission per storage, against a store round trip (SELECT 1) as the floor of any store work
  const policy: LimitPolicy = { name: 'bench', windows: [{ kind: 'sliding', name: 'bench', limit: 1_000_000, seconds: 60 }] };
  const fp: LimitPolicy = {
    name: 'bench-fp',
    durable: true,
    windows: [
      { kind: 'fixed', name: 'm', limit: 1_000_000, unit: 'minute' },
      { kind: 'fixed', name: 'h', limit: 1_000_000, unit: 'hour' },
      { kind: 'fixed', name: 'd', limit: 1_000_000, unit: 'day' },
    ],
  };
  const limiter = ctx.get(Limiter);
  add({ name: `store round trip (SELECT 1), ${storeArg}`, value: roundTrip.meanUs, unit: 'µs/call' });
  const memory = new MemoryLimitStorage();
  let n = 0;
  const mem = await timeSequential(() => memory.admit(`m${n++ % 1000}`, [{ k: 'f', l: 1e9, s: 0, e: 9e15 }], Date.now()), duration);
  add({ name: 'limiter admission, memory (unit tests only)', value: mem.meanUs, unit: 'µs/call' });
  // Fixed windows: constant-size state. (A sliding window keeps one stamp per admitted request in its window.)
  const storeFixed = await timeSequential(() => limiter.admit(fp, `acct-${n++ % 50}`), duration);
  add({ name: `limiter admission, store (${storeArg}), 3 fixed windows`, value: storeFixed.meanUs, unit: 'µs/call', baseline: roundTrip.meanUs, ratio: storeFixed.meanUs / roundTrip.meanUs });
  const slidingPolicy: LimitPolicy = { name: 'bench-s', windows: [{ kind: 'sliding', name: 's', limit: 1_000_000, seconds: 60 }] };
  const storeSliding = await timeSequential(() => ctx.get(LimitStorages).volatileStore.admit(`s${n++}`, [{ k: 's', l: 60, w: 60_000 }], Date.now()), duration);
  add({ name: `limiter admission, store (${storeArg}, unlogged), sliding 60/min`, value: storeSliding.meanUs, unit: 'µs/call', baseline: roundTrip.meanUs, ratio: storeSliding.meanUs / roundTrip.meanUs });
  const plansyncLike = await timeSequential(() => limiter.admit(slidingPolicy, `p${n++ % 50}`), duration);
  add({ name: `limiter admission, Limiter.admit PlanSync-like policy (${storeArg})`, value: plansyncLike.meanUs, unit: 'µs/call', baseline: roundTrip.meanUs, ratio: plansyncLike.meanUs / roundTrip.meanUs });

  if (await redisAvailable()) {
    const rctx = await context(configFor({ REDIS_URL }));
    const rl = rctx.get(Limiter);
    const redisPing = await timeSequential(() => rctx.get(LimitStorages).redis!.client.ping(), duration);
    const redisAdmit = await timeSequential(() => rl.admit(policy, `r${n++ % 100}`), duration);
    add({ name: 'redis round trip (PING)', value: redisPing.meanUs, unit: 'µs/call' });
    add({ name: 'limiter admission, redis, sliding window', value: redisAdmit.meanUs, unit: 'µs/call', baseline: redisPing.meanUs, ratio: redisAdmit.meanUs / redisPing.meanUs });
    await rctx.close();
  } else {
    process.stdout.write('redis not reachable at 127.0.0.1:6379: redis scenarios skipped\n');
  }

  await ctx.close();
  const results = { date: new Date().toISOString(), node: process.version, cores: cpus().length, store: storeArg, quick, scenarios };
  writeFileSync(join(process.cwd(), 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`\nwritten bench/results.json (${scenarios.length} scenarios)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
