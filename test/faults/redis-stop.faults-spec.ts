import { adminCall, GatewayProcess } from '../../bench/gateway-process.js';
import { provisionAccount, send, Workload, type Answer, type WorkloadAccount } from '../../bench/workload.js';
import { childStore, ensureBuilt } from '../support/built-gateway.js';
import { PrivateRedis } from '../support/private-servers.js';

/**
 * Issue 11, faults: the Redis that holds the gateway's rate-limit counters (a private one) is killed under load. The
 * limits go on in the store (README: a short over-admission, at most the limit once per switch), and nothing answers
 * 5xx.
 */
describe('Redis stopped under load', () => {
  const redis = new PrivateRedis();
  let store: Awaited<ReturnType<typeof childStore>>;
  let gw: GatewayProcess;
  let load: WorkloadAccount;
  let quota: WorkloadAccount;

  beforeAll(async () => {
    ensureBuilt();
    await redis.start();
    store = await childStore();
    gw = new GatewayProcess({ ...store.env, REDIS_URL: redis.url, LOG_LEVEL: 'warn' }, { baseline: false, stderr: 'capture' });
    await gw.start();
    load = await provisionAccount(gw.url, { prefix: 'redisload' });
    // one key with PlanSync's default 60 requests per rolling minute
    quota = await provisionAccount(gw.url, { prefix: 'redisquota', keys: 1, events: 1 });
    await adminCall(gw.url, 'PATCH', `/admin/accounts/${quota.slug}`, { settings: { plansync: { requests_per_minute: 60 } } });
  }, 120_000);

  afterAll(async () => {
    await gw?.signal('SIGKILL');
    await redis.kill();
    await store?.drop();
  });

  it('keeps enforcing a 60/min key in the store after Redis dies, and answers no 5xx on any protocol', async () => {
    const background = new Workload(gw.url, load, { concurrency: 1, pauseMs: 20 });
    const quotaCall = () =>
      send(
        gw.url,
        'plansync',
        'quota',
        { method: 'GET', path: '/api/v1/spreadsheets', headers: { 'X-API-Key': quota.keys[0] } },
        background.startedAt,
      );
    const before: Answer[] = [];
    for (let i = 0; i < 40; i++) before.push(await quotaCall());
    expect(await redis.size()).toBeGreaterThan(0); // the counters were in Redis
    await redis.kill('SIGKILL');
    const after: Answer[] = [];
    for (let i = 0; i < 100; i++) after.push(await quotaCall());
    await new Promise((r) => setTimeout(r, 2000));
    await background.stop();

    expect(background.answers.filter((a) => !a.ok).map((a) => `${a.protocol} ${a.status} ${a.error ?? a.detail}`)).toEqual([]);
    expect(before.map((a) => a.status)).toEqual(before.map(() => 200));
    const statuses = after.map((a) => a.status);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    const admitted = 40 + statuses.filter((s) => s === 200).length;
    // at least the quota, at most the quota once more (the store did not see what Redis counted), then 429s
    expect(admitted).toBeGreaterThanOrEqual(60);
    expect(admitted).toBeLessThanOrEqual(120);
    expect(statuses.slice(-20)).toEqual(Array(20).fill(429));
    expect(Number(after.at(-1)!.retryAfter)).toBeGreaterThan(0);
    expect(gw.running).toBe(true);
  }, 90_000);
});
