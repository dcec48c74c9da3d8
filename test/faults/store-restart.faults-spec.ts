import { GatewayProcess } from '../../bench/gateway-process.js';
import { provisionAccount, PROTOCOLS, send, Workload, type Answer, type WorkloadAccount } from '../../bench/workload.js';
import { ensureBuilt } from '../support/built-gateway.js';
import { PrivatePostgres } from '../support/private-servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The store's outage in each protocol's own words: 503 with Retry-After, or Planfix's 0011 in an HTTP 200. */
function isOutageAnswer(a: Answer): boolean {
  if (a.protocol === 'planfix') return a.status === 200 && a.detail === '0011';
  return a.status === 503 && a.retryAfter !== undefined && Number(a.retryAfter) > 0;
}

/**
 * Issue 11, faults: the gateway's PostgreSQL server (a private one: never the shared server) is restarted for real
 * while every protocol is under load. While it is away every answer is the protocol's 503 with Retry-After, none hangs
 * and none is another 5xx; /health says 503 then 200; within 5 s of the server's return every protocol answers again,
 * in the same gateway process.
 */
describe('PostgreSQL restarted under load', () => {
  const pg = new PrivatePostgres();
  let gw: GatewayProcess;
  let account: WorkloadAccount;

  beforeAll(async () => {
    ensureBuilt();
    await pg.init();
    gw = new GatewayProcess({ DATABASE_URL: pg.url, LOG_LEVEL: 'warn' }, { baseline: false, stderr: 'capture' });
    await gw.start();
    account = await provisionAccount(gw.url, { prefix: 'pgrestart' });
  }, 120_000);

  afterAll(async () => {
    await gw?.signal('SIGKILL');
    await pg.destroy();
  });

  it.each(['fast', 'immediate'] as const)(
    'stopped (%s) and started again: 503 + Retry-After while away, every protocol back within 5 s',
    async (mode) => {
      const pid = gw.pid;
      const load = new Workload(gw.url, account, { concurrency: 2, pauseMs: 10, timeoutMs: 15_000 });
      const health: Answer[] = [];
      let probing = true;
      const prober = (async () => {
        while (probing) {
          health.push(await send(gw.url, 'plansync', 'health', { method: 'GET', path: '/health', headers: {} }, load.startedAt, 15_000));
          await sleep(100);
        }
      })();
      const now = () => Date.now() - load.startedAt;

      await sleep(1500);
      const stopping = now();
      await pg.stop(mode);
      const stopped = now();
      await sleep(4000);
      const starting = now();
      await pg.start();
      const back = now(); // accepting connections (it may have been a little earlier: pg_ctl polls)
      await sleep(6000);
      probing = false;
      await Promise.all([load.stop(), prober]);
      const answers = load.answers;
      // a gateway that died says why (its own last words), before the answers that only show it gone
      if (!gw.running) throw new Error(`the gateway exited (${JSON.stringify(await gw.exited)}):\n${gw.output}`);

      // no hang, no transport failure, no 5xx but the outage's 503
      expect(
        answers
          .filter((a) => a.status === 0 || (a.status >= 500 && a.status !== 503))
          .map(
            (a) =>
              `${a.protocol} ${a.name} ${a.status} ${a.error ?? a.detail} at ${a.at} ms for ${a.ms} ms (stopped ${stopping}-${stopped}, back ${back})`,
          ),
      ).toEqual([]);
      expect(answers.filter((a) => !a.ok && !isOutageAnswer(a)).map((a) => `${a.protocol} ${a.status} ${a.detail}`)).toEqual([]);
      // before: all served
      expect(answers.filter((a) => a.at + a.ms < stopping && !a.ok)).toEqual([]);
      // while away: every answer sent and answered in the outage is the outage's answer, in every protocol
      const away = answers.filter((a) => a.at > stopped && a.at + a.ms < starting);
      expect(away.filter((a) => !isOutageAnswer(a)).map((a) => `${a.protocol} ${a.status}`)).toEqual([]);
      for (const protocol of PROTOCOLS) expect(away.some((a) => a.protocol === protocol)).toBe(true);
      // /health: 503 with Retry-After while away, 200 again after
      const healthAway = health.filter((a) => a.at > stopped && a.at + a.ms < starting);
      expect(healthAway.length).toBeGreaterThan(0);
      expect(healthAway.every((a) => a.status === 503 && a.retryAfter === '5')).toBe(true);
      expect(health.at(-1)!.status).toBe(200);
      // recovery: from at most 5 s after the return, every protocol's every answer is a success
      for (const protocol of PROTOCOLS) {
        const after = answers.filter((a) => a.protocol === protocol && a.at > back);
        const lastFailure = Math.max(back, ...after.filter((a) => !a.ok).map((a) => a.at + a.ms));
        expect([protocol, lastFailure - back <= 5000]).toEqual([protocol, true]);
        expect(after.filter((a) => a.ok && a.at > lastFailure).length).toBeGreaterThan(5);
      }
      // the same process served throughout
      expect([gw.running, gw.pid]).toEqual([true, pid]);
    },
    90_000,
  );
});
