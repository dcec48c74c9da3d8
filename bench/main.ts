import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { createSecretKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import { ConfigModule, loadConfig, type AppConfig } from '#config';
import { AccountsService, ApiKeysService, IdentityModule, IdentityService, UsersService } from '#identity';
import { Limiter, LimitsModule, LimitStorages, MemoryLimitStorage, toWindowInput, type LimitPolicy } from '#limits';
import { openStore, runMigrations, StoreModule, StoreService } from '#store';
import { adminCall, GatewayProcess, hasTaskset, requestTimeReading, serverTimeBetween } from './gateway-process.js';
import { listScaling } from './list-scaling.js';
import { createScratchDatabase } from './scratch-database.js';
import { summariseLatestProfile } from './profile-summary.js';
import { load, type LoadResult, type Target } from './load.js';
import { openLoop } from './open-loop.js';
import { timeAmortized, timeSequential } from './measure.js';
import { uploadFile } from './workload.js';
import { PROTOCOLS } from '../src/protocols/index.js';

/**
 * `npm run bench [-- --store pg] [--quick]`: the gateway's own costs, each beside its baseline measured in the same
 * run, reported as ratios; writes bench/results.json. Never part of `npm test`, and no test asserts a time.
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
const SECTIONS = ['micro', 'http', 'lists'];
/** `--profile`: a CPU profile of the gateway over the HTTP scenarios, summarised at the end (bench/profiles/). */
const profileDir = args.includes('--profile') ? join(process.cwd(), 'bench', 'profiles') : undefined;
/** `--only http,lists`: some sections (a developer checking one change); all by default. */
const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '').split(',') : SECTIONS;
/** `--redis`: the gateway counts its short windows in Redis (REDIS_URL), as a PostgreSQL deployment of several instances would. */
const withRedis = args.includes('--redis');
const USAGE = 'usage: npm run bench -- [--store embedded|pg] [--redis] [--quick] [--only micro,http,lists] [--profile]\n';
// `--help` once ran the whole bench (about 14 minutes), as any argument it does not know still would
if (args.includes('--help')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!['embedded', 'pg'].includes(storeArg) || only.some((s) => !SECTIONS.includes(s))) {
  process.stderr.write(USAGE);
  process.exit(2);
}
/** The PostgreSQL server `--store pg` makes its scratch database on (BENCH_DATABASE_URL to change it). */
const PG_SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
/** A fresh database of this run's own, dropped at the end: the 1M-row tables never land in a database tests share. */
let PG_URL = '';
const REDIS_URL = 'redis://127.0.0.1:6379';
/** Seconds per load phase: warm-up, closed loop, open loop at 70 %. */
const T = quick ? { warm: 1, closed: 3, open: 3, rounds: 1 } : { warm: 5, closed: 15, open: 15, rounds: 3 };

/** The PostgreSQL URL of this run (undefined on the embedded store); never empty on `--store pg`. */
function pgUrl(): string | undefined {
  if (storeArg !== 'pg') return undefined;
  if (!PG_URL) throw new Error('--store pg without its scratch database');
  return PG_URL;
}

/**
 * Baseline and route measured in alternating rounds: a drift of the machine (a checkpoint, autovacuum after the data
 * load) falls on both sides.
 */
async function alternating<R>(measure: (side: 'baseline' | 'route', round: number) => Promise<R>): Promise<{ baseline: R[]; route: R[] }> {
  const out = { baseline: [] as R[], route: [] as R[] };
  for (let r = 0; r < T.rounds; r++) {
    out.baseline.push(await measure('baseline', r));
    out.route.push(await measure('route', r));
  }
  return out;
}

/** Rounds of one route as one closed-loop result: the mean rate, the worst percentiles, every failure. */
function combined(results: LoadResult[]): LoadResult {
  const worst = (k: 'p50' | 'p99' | 'p999') => Math.max(...results.map((r) => r[k]));
  const sum = (k: 'rps' | 'errors' | 'non2xx') => results.reduce((n, r) => n + r[k], 0);
  const failures: Record<string, number> = {};
  for (const [k, n] of results.flatMap((r) => Object.entries(r.failures ?? {}))) failures[k] = (failures[k] ?? 0) + n;
  return {
    rps: sum('rps') / results.length,
    p50: worst('p50'),
    p99: worst('p99'),
    p999: worst('p999'),
    errors: sum('errors'),
    non2xx: sum('non2xx'),
    failures,
  };
}
const microMs = quick ? 400 : 3000;
const BENCH_PASSWORD = 'bench password 123';
/** Distinct website visitors (X-Forwarded-For), enough that none reaches the public per-IP limit in a load phase. */
const visitors = Array.from({ length: 4_000 }, (_, i) => ({ 'X-Forwarded-For': `10.77.${i >> 8}.${i & 255}` }));

const scenarios: Scenario[] = [];
function add(s: Scenario): void {
  scenarios.push(s);
  const ratio = s.ratio === undefined ? '' : `  ×${s.ratio.toFixed(2)} of ${s.baseline!.toFixed(1)}`;
  const verdict = s.target ? `  [${s.target}: ${s.pass ? 'pass' : 'MISS'}]` : '';
  process.stdout.write(`${s.name.padEnd(64)} ${s.value.toFixed(2).padStart(10)} ${s.unit}${ratio}${verdict}\n`);
}

/**
 * A protocol route against its bare baseline: closed-loop throughput of both, then both at 70 % of the baseline's
 * capacity for latency.
 */
async function compare(name: string, gw: GatewayProcess, route: Target, baseline: Target): Promise<void> {
  await load(gw.url, baseline, T.warm);
  await load(gw.url, route, T.warm);
  const rounds = await alternating((side) => load(gw.url, side === 'baseline' ? baseline : route, T.closed / T.rounds));
  const [base, real] = [combined(rounds.baseline), combined(rounds.route)];
  const rate = base.rps * 0.7;
  const baseOpen = await openLoop(gw.url, baseline, T.open, rate);
  const realOpen = await openLoop(gw.url, route, T.open, rate);
  const failed = (r: LoadResult) => r.errors + r.non2xx;
  add({
    name: `${name}: throughput`,
    value: real.rps,
    unit: 'req/s',
    baseline: base.rps,
    ratio: real.rps / base.rps,
    target: '≥ 85 % of baseline',
    pass: real.rps / base.rps >= 0.85,
  });
  add({
    name: `${name}: p50 at 70 % load`,
    value: realOpen.p50,
    unit: 'ms',
    baseline: baseOpen.p50,
    ratio: realOpen.p50 / Math.max(baseOpen.p50, 0.001),
  });
  add({
    name: `${name}: p99 at 70 % load`,
    value: realOpen.p99,
    unit: 'ms',
    baseline: baseOpen.p99,
    ratio: realOpen.p99 / Math.max(baseOpen.p99, 0.001),
  });
  add({
    name: `${name}: p99 added at 70 % load`,
    value: realOpen.p99 - baseOpen.p99,
    unit: 'ms',
    target: '≤ 1 ms',
    pass: realOpen.p99 - baseOpen.p99 <= 1,
  });
  add({
    name: `${name}: p99.9 at 70 % load`,
    value: realOpen.p999,
    unit: 'ms',
    baseline: baseOpen.p999,
    ratio: realOpen.p999 / Math.max(baseOpen.p999, 0.001),
  });
  add({
    name: `${name}: errors (closed + open loops)`,
    value: failed(real) + failed(realOpen),
    unit: 'responses',
    baseline: failed(base) + failed(baseOpen),
    target: '0',
    pass: failed(real) + failed(realOpen) === 0,
  });
  const what = [real, realOpen].flatMap((r) => Object.entries(r.failures ?? {}));
  if (what.length) process.stdout.write(`  ${name}: failed answers: ${what.map(([k, n]) => `${n} × ${k}`).join(', ')}\n`);
}

/** The HTTP scenarios, on the built gateway in its own process. */
async function httpScenarios(pinned: boolean): Promise<void> {
  // Website visitors come through a proxy, each IP within the default 300 public finds a minute.
  const db = pgUrl();
  const gw = new GatewayProcess({ TRUST_PROXY: 'true', ...(db ? { DATABASE_URL: db } : {}), ...(withRedis ? { REDIS_URL } : {}) });
  await gw.start(pinned, profileDir);
  try {
    const slug = `bench-${Date.now().toString(36)}`;
    const username = `${slug}-user`;
    await adminCall(gw.url, 'POST', '/admin/accounts', { slug, name: 'Bench', plan: 'premium' });
    // An account with many integrations, each key under PlanSync's own 60 requests a minute: 1,000 keys carry the
    // load of a run (a few thousand requests a minute) with none refused. The exact sliding window keeps one stamp
    // per admitted request, so a few keys with a raised limit would measure a longer log than any real key keeps.
    await adminCall(gw.url, 'PATCH', `/admin/accounts/${slug}`, {
      settings: {
        forward_planner: { limit_per_minute: 1_000_000, limit_per_hour: 1_000_000, limit_per_day: 1_000_000 },
        // the daily quota is still admitted and counted on every call; the 1/s bucket would refuse the load itself
        planfix: { daily_quota: 2_000_000_000, rate_per_second: 1_000_000, burst: 1_000 },
      },
    });
    await adminCall(gw.url, 'POST', `/admin/accounts/${slug}/users`, {
      username,
      email: `${username}@bench.test`,
      role: 'admin',
      password: BENCH_PASSWORD,
    });
    const key = (await adminCall(gw.url, 'POST', `/admin/accounts/${slug}/users/${username}/keys`, { name: 'bench' })).key as string;
    const keys: string[] = [];
    for (let i = 0; i < 1_000; i++)
      keys.push((await adminCall(gw.url, 'POST', `/admin/accounts/${slug}/users/${username}/keys`, { name: `bench-${i}` })).key as string);

    // PlanSync: a 100-row sheet-year table.
    const csv = [
      'Client Name,Plan Assets,Participants,Active,Renewal Date',
      ...Array.from(
        { length: 100 },
        (_, i) => `Client ${i},${1000 * i}.5,${i},${i % 2 === 0},2025-06-${String((i % 28) + 1).padStart(2, '0')}`,
      ),
    ].join('\n');
    await adminCall(gw.url, 'POST', `/admin/accounts/${slug}/spreadsheets/Client%20List/import?year=2025`, csv, 'text/csv');
    await compare(
      'PlanSync sheet data, 100 rows (key + limiter)',
      gw,
      { path: '/api/v1/spreadsheets/Client%20List/data?year=2025', rotate: keys.map((k) => ({ 'X-API-Key': k })) },
      { path: `/bench-baseline/plansync-data/${slug}/Client%20List?year=2025` },
    );

    // Forward Planner: 100 events on one day.
    const events = Array.from({ length: 100 }, (_, i) => ({
      itemId: 100_000 + i,
      summary: `Bench event ${i}`,
      startDate: '2030-06-15',
      description: 'x'.repeat(200),
    }));
    await adminCall(gw.url, 'POST', `/admin/accounts/${slug}/events`, events);
    const auth = await fetch(`${gw.url}/api/v2/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: key }),
    });
    const token = ((await auth.json()) as { token: string }).token;
    await compare(
      'Forward Planner events/date, 100 events (JWT + 3 windows)',
      gw,
      { path: '/api/v2/events/date?date=20300615&limit=100', headers: { Authorization: `Bearer ${token}` } },
      { path: `/bench-baseline/fp-date/${slug}?date=2030-06-15` },
    );

    // Planfix: a project with 100 tasks, task.getList in token mode (Basic key:key), quota counted.
    const planfix = (body: string) => ({
      method: 'POST' as const,
      body,
      headers: { 'Content-Type': 'application/xml', Authorization: `Basic ${Buffer.from(`${key}:${key}`).toString('base64')}` },
    });
    const xml = async (method: string, inner: string) => {
      const res = await fetch(`${gw.url}/xml/`, { ...planfix(`<request method="${method}"><account>${slug}</account>${inner}</request>`) });
      const text = await res.text();
      if (!text.includes('status="ok"')) throw new Error(`${method}: ${text.slice(0, 300)}`);
      return text;
    };
    const projectId = /<id>(\d+)<\/id>/.exec(
      await xml('project.add', '<project><title>Tower A</title><description>Bench</description></project>'),
    )![1];
    for (let i = 0; i < 100; i++) {
      await xml(
        'task.add',
        `<task><title>Task ${i} of Tower A</title><description>${'Pour and cure the slab. '.repeat(8)}</description><project><id>${projectId}</id></project><importance>HIGH</importance></task>`,
      );
    }
    const getList = `<request method="task.getList"><account>${slug}</account><project><id>${projectId}</id></project><pageSize>100</pageSize></request>`;
    await compare(
      'Planfix task.getList, 100 tasks (token + quota)',
      gw,
      { path: '/xml/', ...planfix(getList) },
      { path: `/bench-baseline/planfix-tasks/${slug}/${projectId}`, method: 'POST' },
    );
    // One client, one request at a time: the time a page takes, beside the bare route's (same query, same XML). The
    // server's time is the gateway's own histogram (read to last byte written); the client's adds its socket and timer.
    const pageAt = async (target: Target, label: string, seconds: number) => {
      const before = await requestTimeReading(gw.url, label);
      const client = await openLoop(gw.url, target, seconds, 20);
      return { client, server: serverTimeBetween(before, await requestTimeReading(gw.url, label)) };
    };
    const pageRounds = await alternating((side) =>
      side === 'route'
        ? pageAt({ path: '/xml/', ...planfix(getList) }, 'planfix', T.closed / T.rounds)
        : pageAt({ path: `/bench-baseline/planfix-tasks/${slug}/${projectId}`, method: 'POST' }, 'gateway', T.closed / T.rounds),
    );
    const [page, barePage] = [pageRounds.route, pageRounds.baseline].map((rounds) => ({
      server: rounds.reduce((n, x) => n + x.server, 0) / rounds.length,
      client: combined(rounds.map((x) => x.client)),
    }));
    add({
      name: 'Planfix task.getList, 100 tasks: server time per page (20 pages/s)',
      value: page.server,
      unit: 'ms mean',
      baseline: barePage.server,
      ratio: page.server / barePage.server,
      target: '≤ 5 ms',
      pass: page.server <= 5,
    });
    add({
      name: 'Planfix task.getList, 100 tasks: client time per page (20 pages/s)',
      value: page.client.p50,
      unit: 'ms p50',
      baseline: barePage.client.p50,
      ratio: page.client.p50 / barePage.client.p50,
    });

    // Planpoint: Tower A (the same project) with 10 floors of 10 units, found anonymously by a website embed.
    const pp = async (path: string, body: unknown) => {
      const res = await fetch(gw.url + path, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { _id: string };
    };
    const tower = await pp('/api/projects/find', { namespace: slug, hostName: 'tower-a' });
    for (let f = 0; f < 10; f++) {
      const floor = await pp('/api/floors', { project: { _id: tower._id }, name: `Floor ${f}`, level: f });
      for (let u = 0; u < 10; u++)
        await pp('/api/units', {
          floor: floor._id,
          name: `${f}0${u}`,
          unitNumber: `${f}0${u}`,
          price: 300_000 + u * 1_000,
          status: 'Available',
          bed: 1 + (u % 3),
        });
    }
    const find = JSON.stringify({ namespace: slug, hostName: 'tower-a' });
    await compare(
      'Planpoint public projects/find, 100 units (per-IP limiter)',
      gw,
      { path: '/api/projects/find', method: 'POST', body: find, headers: { 'Content-Type': 'application/json' }, rotate: visitors },
      { path: '/bench-baseline/planpoint-find', method: 'POST', body: find, headers: { 'Content-Type': 'application/json' } },
    );

    // The same find revalidated by an embed or a CDN that kept the answer and its ETag: If-None-Match answers 304
    // after one stamp query, without loading and rendering the floors and units. Beside the full find (201), in the
    // same rounds; other visitors, so that neither phase nears the per-IP limit.
    const returning = visitors.map((_, i) => ({ 'X-Forwarded-For': `10.78.${i >> 8}.${i & 255}` }));
    const first = await fetch(`${gw.url}/api/projects/find`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: find,
    });
    const etag = first.headers.get('etag');
    if (first.status !== 201 || !etag) throw new Error(`projects/find: ${first.status}, ETag ${etag}`);
    const fullFind: Target = {
      path: '/api/projects/find',
      method: 'POST',
      body: find,
      headers: { 'Content-Type': 'application/json' },
      rotate: returning,
    };
    const revalidation: Target = { ...fullFind, headers: { 'Content-Type': 'application/json', 'If-None-Match': etag } };
    await load(gw.url, fullFind, T.warm);
    await load(gw.url, revalidation, T.warm);
    const findRounds = await alternating((side) => load(gw.url, side === 'baseline' ? fullFind : revalidation, T.closed / T.rounds));
    const [full, revalidated] = [combined(findRounds.baseline), combined(findRounds.route)];
    add({
      name: 'Planpoint public projects/find, If-None-Match matching (304): throughput',
      value: revalidated.rps,
      unit: 'req/s',
      baseline: full.rps,
      ratio: revalidated.rps / full.rps,
      target: '≥ the full find (201)',
      pass: revalidated.rps >= full.rps,
    });
    add({
      name: 'Planpoint public projects/find, If-None-Match matching (304): p50',
      value: revalidated.p50,
      unit: 'ms',
      baseline: full.p50,
      ratio: revalidated.p50 / Math.max(full.p50, 0.001),
    });
    // autocannon counts a 304 as "not 2xx": every answer must be a 304 here, and a 201 in the full rounds
    const answered304 = revalidated.failures?.['304'] ?? 0;
    const wrong = revalidated.errors + revalidated.non2xx - answered304 + full.errors + full.non2xx;
    add({
      name: 'Planpoint public projects/find: answers other than 304 (revalidated) or 201 (full)',
      value: wrong,
      unit: 'responses',
      target: '0',
      pass: wrong === 0 && answered304 > 0,
    });

    // A 50 MB upload: the gateway's resident memory before and after.
    const before = gw.rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, gw.rss())), 10);
    const upload = await uploadFile(gw.url, key, 50 * 1024 * 1024);
    if (!upload.ok) throw new Error(`upload failed: ${upload.status} ${await upload.text()}`);
    clearInterval(sampler);
    add({
      name: '50 MB upload: gateway RSS growth (peak)',
      value: (peak - before) / 1024 / 1024,
      unit: 'MiB',
      baseline: before / 1024 / 1024,
      target: '≤ 32 MiB',
      pass: peak - before <= 32 * 1024 * 1024,
    });
  } finally {
    await gw.stop();
  }
}

function configFor(extra: Record<string, string> = {}): AppConfig {
  const db = pgUrl();
  const dataDir = mkdtempSync(join(tmpdir(), 'plangate-bench-'));
  return loadConfig({
    DATA_DIR: dataDir,
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    LOG_LEVEL: 'silent',
    ...(db ? { DATABASE_URL: db } : {}),
    ...extra,
  });
}

async function context(config: AppConfig) {
  const ref = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), StoreModule, IdentityModule.forRoot(PROTOCOLS.settingsSections()), LimitsModule],
  }).compile();
  ref.useLogger(false);
  return ref.init();
}

function redisAvailable(): boolean {
  try {
    execFileSync('redis-cli', ['-u', REDIS_URL, 'ping'], { stdio: 'pipe', timeout: 2000 });
    return true;
  } catch {
    return false;
  }
}

/** In-process micro-benchmarks: authentication, token verification, limiter admission per storage, store start. */
async function microScenarios(): Promise<void> {
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

  const ctx = await context(configFor());
  const store = ctx.get(StoreService);
  if (store.kind !== (storeArg === 'pg' ? 'postgres' : 'embedded'))
    throw new Error(`asked for the ${storeArg} store, opened the ${store.kind} one`);
  const slug = `bench-${Date.now().toString(36)}`;
  await ctx.get(AccountsService).create({ slug, name: 'Bench', plan: 'premium' });
  await ctx.get(UsersService).create(slug, { username: `${slug}-u`, email: `${slug}@bench.test`, role: 'admin' });
  const { key } = await ctx.get(ApiKeysService).create(slug, `${slug}-u`, 'bench');
  const identity = ctx.get(IdentityService);

  const roundTrip = await timeSequential(() => store.query('SELECT 1'), microMs);
  add({ name: `store round trip (SELECT 1), ${storeArg}`, value: roundTrip.meanUs, unit: 'µs/call' });
  const cached = await timeAmortized(() => identity.authenticateKey(key), 20_000, quick ? 3 : 10);
  add({ name: 'authenticate(key), cached principal (amortized)', value: cached, unit: 'µs/call', target: '≤ 5 µs', pass: cached <= 5 });
  const uncached = await timeSequential(() => {
    identity.invalidate();
    return identity.authenticateKey(key);
  }, microMs);
  add({
    name: 'authenticate(key), store lookup',
    value: uncached.meanUs,
    unit: 'µs/call',
    baseline: roundTrip.meanUs,
    ratio: uncached.meanUs / roundTrip.meanUs,
  });

  const jwt = new JwtService({
    secret: createSecretKey(randomBytes(32)),
    signOptions: { algorithm: 'HS256', expiresIn: '15m' },
    verifyOptions: { algorithms: ['HS256'] },
  });
  const token = jwt.sign({ sub: '1', fam: 'f' });
  const verify = await timeAmortized(() => jwt.verify(token), 20_000, quick ? 3 : 10);
  add({ name: 'JWT verify (HS256, KeyObject secret, amortized)', value: verify, unit: 'µs/call', target: '≤ 15 µs', pass: verify <= 15 });

  const limiter = ctx.get(Limiter);
  let n = 0;
  const memory = new MemoryLimitStorage();
  const mem = await timeSequential(() => memory.admit(`m${n++ % 1000}`, [{ k: 'f', l: 1e9, s: 0, e: 9e15 }], Date.now()), microMs);
  add({ name: 'limiter admission, memory (embedded short windows)', value: mem.meanUs, unit: 'µs/call' });
  const fp: LimitPolicy = {
    name: 'bench-fp',
    durable: true,
    windows: [
      { kind: 'fixed', name: 'm', limit: 1e9, unit: 'minute' },
      { kind: 'fixed', name: 'h', limit: 1e9, unit: 'hour' },
      { kind: 'fixed', name: 'd', limit: 1e9, unit: 'day' },
    ],
  };
  const durable = await timeSequential(() => limiter.admit(fp, `acct-${n++ % 50}`), microMs);
  add({
    name: `limiter admission, durable 3 windows (${storeArg === 'pg' ? 'store' : 'memory, written behind to the store'})`,
    value: durable.meanUs,
    unit: 'µs/call',
    baseline: roundTrip.meanUs,
    ratio: durable.meanUs / roundTrip.meanUs,
  });
  if (storeArg !== 'pg') {
    // what each request paid before the write-behind: the upsert through limit_eval in PGlite
    const table = ctx.get(LimitStorages).store;
    const direct = await timeSequential(() => {
      const now = Date.now();
      return table.admit(
        `bench-fp:acct-${n++ % 50}`,
        fp.windows.map((w) => toWindowInput(w, now)),
        now,
      );
    }, microMs);
    add({
      name: 'limiter admission, durable 3 windows (store table, per request)',
      value: direct.meanUs,
      unit: 'µs/call',
      baseline: roundTrip.meanUs,
      ratio: direct.meanUs / roundTrip.meanUs,
    });
  }
  const sliding: LimitPolicy = { name: 'bench-s', windows: [{ kind: 'sliding', name: 's', limit: 60, seconds: 60 }] };
  const volatile = await timeSequential(() => limiter.admit(sliding, `p${n++}`), microMs);
  add({
    name: `limiter admission, sliding 60/min (${storeArg === 'pg' ? 'store, unlogged' : 'memory: the embedded short windows'})`,
    value: volatile.meanUs,
    unit: 'µs/call',
    baseline: roundTrip.meanUs,
    ratio: volatile.meanUs / roundTrip.meanUs,
  });
  if (redisAvailable()) {
    const rctx = await context(configFor({ REDIS_URL }));
    const ping = await timeSequential(() => rctx.get(LimitStorages).redis!.client.ping(), microMs);
    const admit = await timeSequential(() => rctx.get(Limiter).admit(sliding, `r${n++}`), microMs);
    add({ name: 'redis round trip (PING)', value: ping.meanUs, unit: 'µs/call' });
    add({
      name: 'limiter admission, redis, sliding 60/min',
      value: admit.meanUs,
      unit: 'µs/call',
      baseline: ping.meanUs,
      ratio: admit.meanUs / ping.meanUs,
    });
    await rctx.close();
  } else {
    process.stdout.write('redis not reachable at 127.0.0.1:6379: redis scenarios skipped\n');
  }
  await ctx.close();
}

/** List latency as the tables grow: each size's p50 against the smallest size's, in the same run. */
async function listScenarios(): Promise<void> {
  const sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  process.stdout.write(`\nlist latency vs table size (${sizes.map((n) => n.toLocaleString('en')).join(', ')} rows):\n`);
  const figures = await listScaling({ pgUrl: pgUrl(), sizes, requests: quick ? 60 : 300, log: (l) => process.stdout.write(`${l}\n`) });
  const largest = sizes[sizes.length - 1];
  for (const f of figures) {
    const first = figures.find((x) => x.list === f.list && x.rows === sizes[0])!;
    const judged = f.rows === largest && f.rows !== sizes[0];
    add({
      name: `${f.list} at ${f.rows.toLocaleString('en')} rows: p50`,
      value: f.p50,
      unit: 'ms',
      ...(f.rows === sizes[0] ? {} : { baseline: first.p50, ratio: f.p50 / first.p50 }),
      ...(judged ? { target: `≤ 1.5 × p50 at ${sizes[0].toLocaleString('en')}`, pass: f.p50 <= 1.5 * first.p50 } : {}),
    });
  }
}

async function main(): Promise<void> {
  const pinned = hasTaskset();
  if (pinned) execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });
  if (withRedis && !redisAvailable()) throw new Error(`--redis: no Redis answers at ${REDIS_URL}`);
  process.stdout.write(
    `plangate bench: store ${storeArg}${withRedis ? ' + redis' : ''}, ${quick ? 'quick' : 'full'}, ${cpus().length} cores, node ${process.version}, ${pinned ? 'server on core 0, load on core 1' : 'no taskset: unpinned'}\n\n`,
  );
  const scratch = storeArg === 'pg' ? await createScratchDatabase(PG_SERVER_URL) : undefined;
  // An empty DATABASE_URL means the embedded store: a PostgreSQL run must never fall back to it unnoticed.
  if (scratch) PG_URL = scratch.url;
  try {
    if (only.includes('micro')) await microScenarios();
    if (only.includes('http')) await httpScenarios(pinned);
    if (profileDir && only.includes('http')) process.stdout.write(`\n${summariseLatestProfile(profileDir)}\n`);
    if (only.includes('lists')) await listScenarios();
  } finally {
    await scratch?.drop();
  }
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cores: cpus().length,
    store: storeArg,
    redis: withRedis,
    quick,
    pinned,
    sections: only,
    scenarios,
  };
  writeFileSync(join(process.cwd(), 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const missed = scenarios.filter((s) => s.pass === false).length;
  process.stdout.write(`\nwritten bench/results.json: ${scenarios.length} figures, ${missed} target(s) missed\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
