import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ConfigModule } from '#config';
import { DomainError } from '#errors';
import { IdentityModule } from '#identity';
import {
  FailoverLimitStorage,
  Limiter,
  LimitsModule,
  LimitStorages,
  MemoryLimitStorage,
  RedisLimitStorage,
  type LimitPolicy,
  type LimitStorage,
  type WindowInput,
  WriteBehindLimitStorage,
} from '#limits';
import { StoreModule } from '#store';
import { unique } from '../factories/admin.factory.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ON_POSTGRES, TEST_REDIS_URL, testConfig, withStoreTemplate, type TestAppOptions } from '../support/test-app.js';
import { PROTOCOLS } from '../../src/protocols/index.js';

const T = Date.UTC(2025, 5, 1, 12, 0, 0);

async function startLimits(options: TestAppOptions = {}): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(await withStoreTemplate(testConfig(options))),
      StoreModule,
      IdentityModule.forRoot(PROTOCOLS.settingsSections()),
      LimitsModule,
    ],
  }).compile();
  moduleRef.useLogger(false);
  return moduleRef.init();
}

/**
 * The same contract for every storage: the TypeScript reference (memory), the SQL function (store) and the Lua
 * script (Redis) must give the same answers to the same sequence.
 */
function contract(name: string, storage: () => LimitStorage) {
  describe(`${name} storage`, () => {
    const sliding: WindowInput[] = [{ k: 's', l: 3, w: 60_000 }];

    it('admits exactly the limit in a rolling window and says when one more fits', async () => {
      const key = unique('slide');
      const answers = [];
      for (const now of [T, T + 10_000, T + 20_000, T + 30_000]) answers.push(await storage().admit(key, sliding, now));
      expect(answers.map((a) => a.admitted)).toEqual([true, true, true, false]);
      expect(answers[2].results[0]).toEqual([0, T + 60_000, T + 20_000]);
      expect(answers[3].results[0]).toEqual([0, T + 60_000, T + 60_000]);
      expect((await storage().admit(key, sliding, T + 60_000)).admitted).toBe(true);
      expect((await storage().admit(key, sliding, T + 60_001)).admitted).toBe(false);
    });

    it('does not count refused requests', async () => {
      const key = unique('refused');
      const seq = [T, T, T, T + 1, T + 2, T + 60_000, T + 60_000, T + 60_000, T + 60_000];
      const admitted = [];
      for (const now of seq) admitted.push((await storage().admit(key, sliding, now)).admitted);
      expect(admitted).toEqual([true, true, true, false, false, true, true, true, false]);
    });

    it('admits several windows as one and counts only admitted requests in each', async () => {
      const key = unique('multi');
      const windows = (now: number): WindowInput[] => [
        { k: 'f', l: 2, s: now - (now % 60_000), e: now - (now % 60_000) + 60_000 },
        { k: 'f', l: 3, s: now - (now % 3_600_000), e: now - (now % 3_600_000) + 3_600_000 },
      ];
      const a = [];
      for (const now of [T, T + 1, T + 2, T + 60_000, T + 120_000]) a.push(await storage().admit(key, windows(now), now));
      expect(a.map((x) => x.admitted)).toEqual([true, true, false, true, false]);
      expect(a[2].results[1][0]).toBe(1);
      expect(a[4].results).toEqual([
        [2, T + 180_000, T + 120_000],
        [0, T + 3_600_000, T + 3_600_000],
      ]);
    });

    it('runs a token bucket: a burst, then the sustained rate', async () => {
      const key = unique('bucket');
      const bucket: WindowInput[] = [{ k: 'b', r: 1 / 1000, b: 3 }];
      const admitted = [];
      for (const now of [T, T, T, T, T + 999, T + 1000]) admitted.push((await storage().admit(key, bucket, now)).admitted);
      expect(admitted).toEqual([true, true, true, false, false, true]);
      expect((await storage().admit(key, bucket, T + 1000)).results[0]).toEqual([0, T + 4000, T + 2000]);
    });

    it('counts a rolling window above 1,000 in buckets: never over the limit, at most one bucket late', async () => {
      const key = unique('large');
      const large: WindowInput[] = [{ k: 's', l: 2000, w: 60_000, q: 600 }];
      const base = T - (T % 600);
      expect((await storage().admit(key, large, base, 1000)).admitted).toBe(true);
      expect((await storage().admit(key, large, base + 30_000, 1000)).results[0]).toEqual([0, base + 60_600, base + 30_000]);
      const refused = await storage().admit(key, large, base + 30_000);
      expect(refused).toEqual({ admitted: false, results: [[0, base + 60_600, base + 60_600]] });
      expect((await storage().admit(key, large, base + 60_599)).admitted).toBe(false);
      expect(await storage().admit(key, large, base + 60_600)).toEqual({ admitted: true, results: [[999, base + 90_600, base + 60_600]] });
      // 999 left: of 20 admissions of 150 within a second, 6 fit
      const burst = [];
      for (let i = 0; i < 20; i++) burst.push((await storage().admit(key, large, base + 61_000 + i * 50, 150)).admitted);
      expect(burst.filter(Boolean).length).toBe(6);
    });

    it('keeps counters of different subjects apart', async () => {
      const a = unique('a');
      const b = unique('b');
      for (let i = 0; i < 3; i++) await storage().admit(a, sliding, T);
      expect((await storage().admit(a, sliding, T)).admitted).toBe(false);
      expect((await storage().admit(b, sliding, T)).admitted).toBe(true);
    });
  });
}

describe('limits', () => {
  let ctx: INestApplicationContext;
  beforeAll(async () => {
    ctx = await startLimits();
  });
  afterAll(() => ctx.close());

  const memory = new MemoryLimitStorage();
  contract('memory', () => memory);
  contract('store', () => ctx.get(LimitStorages).store);
  contract('store (unlogged, short windows)', () => ctx.get(LimitStorages).volatileStore);
  let writeBehind: WriteBehindLimitStorage;
  contract(
    'write-behind (durable counters of the embedded store)',
    () => (writeBehind ??= new WriteBehindLimitStorage(ctx.get(LimitStorages).store)),
  );

  describe('write-behind', () => {
    it('writes counts to the store on flush, and another instance over the same store continues them', async () => {
      const store = ctx.get(LimitStorages).store;
      const counting = new WriteBehindLimitStorage(store);
      const key = unique('behind');
      const day: WindowInput[] = [{ k: 'f', l: 10, s: T - 1000, e: T + 86_400_000 }];
      for (let i = 0; i < 4; i++) await counting.admit(key, day, T + i);
      expect(await store.read(key, T + 10)).toEqual([]); // nothing written yet: the requests paid no store write
      await counting.flush();
      expect(await store.read(key, T + 10)).toEqual([{ s: T - 1000, n: 4 }]);
      const restarted = new WriteBehindLimitStorage(store);
      expect((await restarted.admit(key, day, T + 20)).results[0][0]).toBe(5);
      await restarted.flush();
      // concurrent first requests after a start share one read, and none is lost
      const another = new WriteBehindLimitStorage(store);
      const answers = await Promise.all(Array.from({ length: 8 }, () => another.admit(key, day, T + 30)));
      expect(answers.filter((a) => a.admitted)).toHaveLength(5);
    });

    it('keeps counts it could not write, and writes them on the next flush', async () => {
      const store = ctx.get(LimitStorages).store;
      const counting = new WriteBehindLimitStorage(store);
      const key = unique('retry');
      const day: WindowInput[] = [{ k: 'f', l: 10, s: T, e: T + 86_400_000 }];
      await counting.admit(key, day, T);
      const write = jest.spyOn(store, 'write').mockRejectedValueOnce(new Error('store away'));
      await expect(counting.flush()).rejects.toThrow('store away');
      write.mockRestore();
      await counting.admit(key, day, T + 1);
      await counting.flush();
      expect(await store.read(key, T + 2)).toEqual([{ s: T, n: 2 }]);
    });
  });
  if (TEST_REDIS_URL) {
    let redis: RedisLimitStorage;
    beforeAll(async () => {
      redis = new RedisLimitStorage(TEST_REDIS_URL!);
      expect(await redis.connect()).toBe(true);
    });
    afterAll(() => redis.close());
    contract('redis', () => redis);
  } else {
    it.todo('redis storage contract (set TEST_REDIS_URL, as npm run test:pg does)');
  }

  describe('Limiter', () => {
    const policy: LimitPolicy = { name: 'test', windows: [{ kind: 'sliding', name: 'test-minute', limit: 5, seconds: 60 }] };

    it('decides with the tightest window and a Retry-After of at least 1 s', async () => {
      const limiter = ctx.get(Limiter);
      const subject = unique('subject');
      const decisions = [];
      for (let i = 0; i < 6; i++) decisions.push(await limiter.admit(policy, subject, T + i * 1000));
      expect(decisions.map((d) => d.admitted)).toEqual([true, true, true, true, true, false]);
      expect(decisions[4].tightest).toMatchObject({ name: 'test-minute', limit: 5, seconds: 60, remaining: 0 });
      expect(decisions[5].retryAfterSeconds).toBe(55); // the first request (at T) leaves at T + 60 s; now is T + 5 s
    });

    it('admits exactly the limit out of 200 concurrent requests', async () => {
      const limiter = ctx.get(Limiter);
      const subject = unique('burst');
      const tight: LimitPolicy = { name: 'conc', windows: [{ kind: 'sliding', name: 'conc', limit: 60, seconds: 60 }] };
      const decisions = await Promise.all(Array.from({ length: 200 }, () => limiter.admit(tight, subject)));
      expect(decisions.filter((d) => d.admitted)).toHaveLength(60);
    });

    it('keeps a durable daily count across a restart of the gateway', async () => {
      // On the embedded store the restart reopens the same DATA_DIR on disk; on PostgreSQL, the same database.
      const options: TestAppOptions = ON_POSTGRES
        ? {}
        : { embeddedOnDisk: true, env: { DATA_DIR: mkdtempSync(join(tmpdir(), 'plangate-restart-')) } };
      const daily: LimitPolicy = {
        name: 'daily',
        durable: true,
        windows: [{ kind: 'fixed', name: 'day', limit: 100, unit: 'day', timeZone: 'Europe/Berlin' }],
      };
      const subject = unique('acct');
      const first = await startLimits(options);
      for (let i = 0; i < 3; i++) await first.get(Limiter).admit(daily, subject, T);
      await first.close();
      const second = await startLimits(options);
      try {
        expect((await second.get(Limiter).admit(daily, subject, T + 1)).tightest.remaining).toBe(96);
      } finally {
        await second.close();
      }
    });
  });

  describe('faults', () => {
    it('counts in the store at once when Redis is unreachable, and no admission fails', async () => {
      const dead = new RedisLimitStorage('redis://127.0.0.1:1');
      try {
        const failover = new FailoverLimitStorage(dead, ctx.get(LimitStorages).store);
        const key = unique('failover');
        const started = Date.now();
        const answers = [];
        for (let i = 0; i < 4; i++) answers.push(await failover.admit(key, [{ k: 's', l: 3, w: 60_000 }], T));
        expect(Date.now() - started).toBeLessThan(1000);
        expect(answers.map((a) => a.admitted)).toEqual([true, true, true, false]);
        expect(failover.serving).toBe('store');
      } finally {
        await dead.close();
      }
    });

    (TEST_REDIS_URL ? it : it.skip)('goes back to Redis once it returns, without a restart', async () => {
      const port = 20_000 + Math.floor(Math.random() * 10_000);
      const start = () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
      let server = start();
      await new Promise((r) => setTimeout(r, 300));
      const redis = new RedisLimitStorage(`redis://127.0.0.1:${port}`);
      try {
        expect(await redis.connect()).toBe(true);
        const failover = new FailoverLimitStorage(redis, ctx.get(LimitStorages).store);
        const window: WindowInput[] = [{ k: 's', l: 1000, w: 60_000 }];
        const key = unique('flap');
        await failover.admit(key, window, Date.now());
        expect(failover.serving).toBe('redis');
        server.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 200));
        await expect(failover.admit(key, window, Date.now())).resolves.toMatchObject({ admitted: true });
        expect(failover.serving).toBe('store');
        server = start();
        const back = Date.now();
        while (Date.now() - back < 5000 && failover.serving !== 'redis') {
          await failover.admit(key, window, Date.now());
          await new Promise((r) => setTimeout(r, 100));
        }
        await failover.admit(key, window, Date.now());
        expect(failover.serving).toBe('redis');
      } finally {
        server.kill('SIGKILL');
        await redis.close();
      }
    });

    (ON_POSTGRES ? it : it.skip)('answers UNAVAILABLE within 2 s when the store is unreachable, never hangs', async () => {
      const { proxy, url } = await TcpProxy.inFrontOf(process.env.DATABASE_URL!);
      const other = await startLimits({ env: { DATABASE_URL: url } });
      try {
        const policy: LimitPolicy = { name: 'down', windows: [{ kind: 'sliding', name: 'down', limit: 5, seconds: 60 }] };
        await other.get(Limiter).admit(policy, 'x');
        await proxy.cut();
        const started = Date.now();
        const error = await other
          .get(Limiter)
          .admit(policy, 'x')
          .catch((e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(2500);
        expect(error).toBeInstanceOf(DomainError);
        expect(error).toMatchObject({ code: 'UNAVAILABLE', retryAfter: 5 });
        await proxy.restore();
      } finally {
        await other.close();
        await proxy.cut();
      }
    });
  });

  (ON_POSTGRES ? describe : describe.skip)('two instances on one PostgreSQL database', () => {
    it('admit exactly the limit out of 200 concurrent requests shared between them', async () => {
      const other = await startLimits();
      try {
        const policy: LimitPolicy = { name: 'pair', windows: [{ kind: 'sliding', name: 'pair', limit: 60, seconds: 60 }] };
        const subject = unique('shared');
        const decisions = await Promise.all(
          Array.from({ length: 200 }, (_, i) => (i % 2 ? other : ctx).get(Limiter).admit(policy, subject)),
        );
        expect(decisions.filter((d) => d.admitted)).toHaveLength(60);
      } finally {
        await other.close();
      }
    });

    if (TEST_REDIS_URL) {
      it('admit exactly the limit through Redis as well', async () => {
        const a = await startLimits({ env: { REDIS_URL: TEST_REDIS_URL! } });
        const b = await startLimits({ env: { REDIS_URL: TEST_REDIS_URL! } });
        try {
          expect(a.get(Limiter).storageName).toBe('redis');
          const policy: LimitPolicy = { name: 'pair-redis', windows: [{ kind: 'sliding', name: 'pair', limit: 60, seconds: 60 }] };
          const subject = unique('shared');
          const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).get(Limiter).admit(policy, subject)));
          expect(decisions.filter((d) => d.admitted)).toHaveLength(60);
        } finally {
          await a.close();
          await b.close();
        }
      });
    }
  });
});
