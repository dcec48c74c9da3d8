import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { BENCH_ADMIN_TOKEN, GatewayProcess } from './gateway-process.js';
import { createScratchDatabase } from './scratch-database.js';
import { provisionAccount, PROTOCOLS, Workload, type Answer, type Protocol, type WorkloadAccount } from './workload.js';

/**
 * `npm run soak [-- --duration 10m] [--store embedded|pg]`: the built gateway in its own process under a mixed
 * workload over every protocol (reads and writes, reverse-ETL runs to a local webhook) for a while. Prints, per
 * interval, the answers by status, p99 per protocol and the gateway's memory; then a verdict. Exit 1 when any answer
 * is a 5xx or a transport failure, or when memory grows after the warm-up (see `memoryVerdict`).
 */

const USAGE = 'usage: npm run soak -- [--duration 10m|90s] [--store embedded|pg] [--database-url URL] [--connections N] [--sample 5s]';

function seconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

interface Sample {
  at: number;
  rssMb: number;
  heapMb: number;
}

interface Interval {
  from: number;
  statuses: Map<string, number>;
  latencies: Map<Protocol, number[]>;
  count: number;
}

const newInterval = (from: number): Interval => ({ from, statuses: new Map(), latencies: new Map(), count: 0 });

function p99(values: number[] | undefined): number | undefined {
  if (!values?.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

/** Least-squares slope of y over x (MB per minute when x is minutes). */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const num = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return den ? num / den : 0;
}

/**
 * The gateway's memory grows when, after the warm-up (the first quarter of the run), both hold for its RSS: the
 * last quarter's median sits higher than the second quarter's by more than 10 % and 8 MB, and the least-squares slope
 * of every sample after the warm-up exceeds 2 MB/min (20 MB over the default 10 minutes). A leak raises the level
 * and keeps the trend; a late allocation burst does only one of the two. The V8 heap in use is reported the same
 * way (lowest samples per quarter) but does not decide: sampled between collections it follows the saw-tooth, not
 * the live set. To see the live heap, run with NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2 and send the gateway
 * SIGUSR2 twice: a snapshot collects garbage first, and the two files' sizes compare live heaps.
 */
export function memoryVerdict(samples: Sample[], durationS: number): { flat: boolean; lines: string[] } {
  const quarter = (q: number) => samples.filter((s) => s.at >= (durationS * q) / 4 && s.at < (durationS * (q + 1)) / 4);
  const lines: string[] = [];
  let flat = true;
  for (const [name, pick, level] of [
    ['RSS', (s: Sample) => s.rssMb, median],
    ['heap used', (s: Sample) => s.heapMb, (v: number[]) => Math.min(...v)],
  ] as const) {
    const q2 = level(quarter(1).map(pick));
    const q4 = level(quarter(3).map(pick));
    const after = samples.filter((s) => s.at >= durationS / 4);
    const perMin = slope(after.map((s) => [s.at / 60, pick(s)]));
    const ok = q4 <= q2 * 1.1 || q4 - q2 <= 8 || perMin <= 2;
    if (name === 'RSS') flat &&= ok;
    lines.push(
      `${name.padEnd(9)}: 2nd quarter ${q2.toFixed(1)} MB, last quarter ${q4.toFixed(1)} MB (${(((q4 - q2) / q2) * 100).toFixed(1)} %), slope after warm-up ${perMin.toFixed(2)} MB/min: ${ok ? 'flat' : 'GROWING'}${name === 'RSS' ? '' : ' (reported, not judged)'}`,
    );
  }
  return { flat, lines };
}

/** A webhook destination that accepts everything: what reverse-ETL runs of the soak deliver to. */
async function webhookSink(): Promise<{ server: Server; url: string; rows: () => number }> {
  let rows = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        rows += (JSON.parse(Buffer.concat(chunks).toString()) as { rows?: unknown[] }).rows?.length ?? 0;
      } catch {
        // counted as nothing
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/soak`, rows: () => rows };
}

async function retlSync(url: string, a: WorkloadAccount, hook: string): Promise<string> {
  const call = async (path: string, body: unknown) => {
    const res = await fetch(url + '/api/reverse-etl' + path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${a.keys[0]}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`reverse ETL ${path}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { data: { id: string } }).data.id;
  };
  const dest = await call('/destinations', { name: 'soak hook', connector: 'webhook', config: { url: hook, batchSize: 100 } });
  return call('/syncs', {
    name: 'soak touchpoints',
    sourceQuery: 'model:touchpoints',
    destinationId: dest,
    objectName: 'Touchpoints',
    fieldMappings: [
      { source: 'id', destination: 'external_id', isKey: true },
      { source: 'company_name', destination: 'account_company' },
    ],
    syncMode: 'upsert',
    watermarkColumn: 'updated_at',
  });
}

async function memory(gw: GatewayProcess, at: number): Promise<Sample> {
  const text = await (await fetch(`${gw.url}/metrics`, { headers: { Authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } })).text();
  const heap = Number(/^plangate_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? NaN);
  return { at, rssMb: gw.rss() / 2 ** 20, heapMb: heap / 2 ** 20 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10m' },
      store: { type: 'string', default: 'embedded' },
      'database-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/test' },
      connections: { type: 'string', default: '2' },
      sample: { type: 'string', default: '5s' },
    },
  });
  if (!['embedded', 'pg'].includes(values.store!)) throw new Error(USAGE);
  const durationS = seconds(values.duration!);
  const sampleS = seconds(values.sample!);
  // about 20 rows in the table, each at least one sample long
  const intervalS = Math.max(sampleS, Math.round(durationS / 20 / sampleS) * sampleS);

  const db = values.store === 'pg' ? await createScratchDatabase(values['database-url']!) : undefined;
  const sink = await webhookSink();
  // the soak's webhook sink listens on loopback: the operator's opt-in for it
  const gw = new GatewayProcess(
    { ...(db ? { DATABASE_URL: db.url } : {}), LOG_LEVEL: 'warn', RETL_ALLOW_HOSTS: '127.0.0.1/32' },
    { baseline: false, stderr: 'inherit' },
  );
  let failed: boolean;
  try {
    await gw.start();
    process.stdout.write(
      `plangate soak: store ${values.store}, ${durationS} s, ${values.connections} connection(s) per protocol, gateway pid ${gw.pid}\n`,
    );
    // reverse ETL allows 120 requests per minute per key: 100 keys keep the soak's pace under it
    const account = await provisionAccount(gw.url, { prefix: 'soak', keys: 100 });
    const syncId = await retlSync(gw.url, account, sink.url);

    const intervals: Interval[] = [newInterval(0)];
    const samples: Sample[] = [];
    const totals = new Map<string, number>();
    const firstOf = new Map<string, string>();
    const onAnswer = (a: Answer) => {
      // successes by status; failures by protocol and status (Planfix: its error code), the first body kept
      const key = a.ok
        ? String(a.status)
        : a.status === 0
          ? `${a.protocol} net:${a.error}`
          : a.protocol === 'planfix'
            ? `planfix ${a.detail}`
            : `${a.protocol} ${a.status}`;
      if (!a.ok && !firstOf.has(key)) firstOf.set(key, `${a.name}: ${a.detail ?? a.error}`);
      const iv = intervals.at(-1)!;
      iv.count++;
      iv.statuses.set(key, (iv.statuses.get(key) ?? 0) + 1);
      totals.set(key, (totals.get(key) ?? 0) + 1);
      if (!iv.latencies.has(a.protocol)) iv.latencies.set(a.protocol, []);
      iv.latencies.get(a.protocol)!.push(a.ms);
    };
    const load = new Workload(gw.url, account, { concurrency: Number(values.connections), pauseMs: 2, writes: true, onAnswer });
    const now = () => (Date.now() - load.startedAt) / 1000;

    const header = `${'t (s)'.padStart(6)} ${'req/s'.padStart(7)} ${PROTOCOLS.map((p) => `p99 ${p.replace('forward-planner', 'fp').replace('reverse-etl', 'retl')}`.padStart(14)).join('')} ${'RSS MB'.padStart(7)} ${'heap MB'.padStart(8)}  answers by status`;
    process.stdout.write(`\n${header}\n`);
    let runs = 0;
    let lastRun = 0;
    while (now() < durationS) {
      await new Promise((r) => setTimeout(r, sampleS * 1000));
      const t = now();
      samples.push(await memory(gw, t));
      if (t - lastRun >= 10) {
        lastRun = t;
        const res = await fetch(`${gw.url}/api/reverse-etl/sync/run`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${account.keys[1]}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ syncId }),
        });
        onAnswer({ protocol: 'reverse-etl', name: 'sync/run', at: t * 1000, ms: 0, status: res.status, ok: res.ok || res.status === 409 });
        await res.text();
        if (res.status === 202) runs++;
      }
      const iv = intervals.at(-1)!;
      if (t - iv.from >= intervalS || t >= durationS) {
        const last = samples.at(-1)!;
        const cells = PROTOCOLS.map((p) => (p99(iv.latencies.get(p))?.toFixed(0) ?? '-').padStart(14)).join('');
        const statuses = [...iv.statuses.entries()]
          .sort()
          .map(([k, v]) => `${k}×${v}`)
          .join(' ');
        process.stdout.write(
          `${t.toFixed(0).padStart(6)} ${(iv.count / (t - iv.from)).toFixed(0).padStart(7)} ${cells} ${last.rssMb.toFixed(1).padStart(7)} ${last.heapMb.toFixed(1).padStart(8)}  ${statuses}\n`,
        );
        intervals.push(newInterval(t));
      }
    }
    await load.stop();
    const bad = [...totals.entries()].filter(([k]) => / net:| 5\d\d$/.test(k) || k === 'planfix 0011');
    const all = [...totals.values()].reduce((a, b) => a + b, 0);
    const verdict = memoryVerdict(samples, durationS);
    process.stdout.write(
      `\n${all} answers: ${[...totals.entries()]
        .sort()
        .map(([k, v]) => `${k}×${v}`)
        .join(' ')}\n`,
    );
    for (const [k, first] of firstOf) process.stdout.write(`  ${k}, first: ${first.slice(0, 160)}\n`);
    process.stdout.write(`reverse-ETL runs started: ${runs}, rows delivered to the webhook: ${sink.rows()}\n`);
    process.stdout.write(`errors (5xx, Planfix 0011, transport): ${bad.length ? bad.map(([k, v]) => `${k}×${v}`).join(' ') : 'none'}\n`);
    process.stdout.write(`memory after warm-up (first quarter; RSS: medians, heap: lowest samples):\n  ${verdict.lines.join('\n  ')}\n`);
    failed = bad.length > 0 || !verdict.flat;
    process.stdout.write(`verdict: ${failed ? 'FAIL' : 'pass'}\n`);
    if (!gw.running) throw new Error('the gateway exited during the soak');
  } finally {
    await gw.stop();
    sink.server.close();
    await db?.drop();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e: unknown) => {
  process.stderr.write(`soak failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n${USAGE}\n`);
  process.exit(2);
});
