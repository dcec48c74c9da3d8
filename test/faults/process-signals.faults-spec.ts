import { existsSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Client } from 'pg';
import { GatewayProcess } from '../../bench/gateway-process.js';
import { provisionAccount, uploadFile, Workload } from '../../bench/workload.js';
import { CHILD_STORES, childStore, ensureBuilt } from '../support/built-gateway.js';

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** One GET on a new connection (no keep-alive pool): its status, or the transport error's code. */
function freshGet(url: string, path: string, headers: Record<string, string>): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url + path, { agent: false, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/**
 * Issue 11, faults: the gateway process itself is killed. `kill -9` in the middle of a 50 MB upload leaves nothing
 * after the restart (no temp file, no partial blob, no row); `SIGTERM` under load lets the requests in flight finish
 * (a slow upload among them), refuses new ones cleanly and exits 0.
 */
describe.each(CHILD_STORES)('gateway process killed (%s store)', (kind) => {
  let store: Awaited<ReturnType<typeof childStore>>;
  const gateways: GatewayProcess[] = [];
  // the folder store: these tests look for its temp files on disk (the database store's are covered in test/integration)
  const env = () => ({ ...store.env, LOG_LEVEL: 'warn', FILES_STORE: 'folder' });
  const start = async (dataDir?: string) => {
    const gw = new GatewayProcess(env(), { baseline: false, stderr: 'capture', dataDir });
    gateways.push(gw);
    await gw.start();
    return gw;
  };

  beforeAll(async () => {
    ensureBuilt();
    store = await childStore(kind);
  });

  afterAll(async () => {
    for (const gw of gateways) await gw.signal('SIGKILL');
    await store?.drop();
  });

  it('kill -9 during a 50 MB upload: after the restart no temp or partial file is left and no row, and uploads work', async () => {
    const gw = await start();
    const acct = await provisionAccount(gw.url, { prefix: 'kill9upload', keys: 1, events: 1 });
    const files = join(gw.dataDir, 'files');
    let sent = 0;
    const upload = uploadFile(gw.url, acct.keys[0], 50 * MB, { filename: 'big.pdf', pauseMs: 2, onChunk: (n) => (sent = n) }).then(
      (res) => res.status,
      (e: Error) => e.name,
    );
    const temp = () => readdirSync(files).filter((f) => f.startsWith('.incoming-'));
    await until(
      '20 MB of the upload on disk',
      () => sent >= 20 * MB && temp().some((f) => statSync(join(files, f)).size >= 10 * MB),
      60_000,
    );
    await gw.signal('SIGKILL');
    expect(await upload).toBe('TypeError'); // fetch failed: the connection broke mid-body
    expect(temp()).toHaveLength(1); // the partial file the crash left behind

    const again = await start(gw.dataDir);
    expect(readdirSync(files)).toEqual([]);
    const key = { 'X-API-Key': acct.keys[0] };
    expect(await (await fetch(`${again.url}/api/v1/files`, { headers: key })).json()).toEqual({ count: 0, files: [] });
    const small = await uploadFile(again.url, acct.keys[0], 3 * MB, { filename: 'big.pdf' });
    expect(small.status).toBe(200);
    expect(readdirSync(files)).toHaveLength(1);
    expect(
      ((await (await fetch(`${again.url}/api/v1/files`, { headers: key })).json()) as { files: { size: number }[] }).files.map(
        (f) => f.size,
      ),
    ).toEqual([3 * MB]);
  }, 120_000);

  it('SIGTERM under load: requests in flight complete (a slow upload too), new ones are refused cleanly, exit code 0', async () => {
    const gw = await start();
    const acct = await provisionAccount(gw.url, { prefix: 'sigterm' });
    const load = new Workload(gw.url, acct, { concurrency: 2, pauseMs: 5 });
    await sleep(1000);
    let sent = 0;
    // 8 MB at 64 KiB per 20 ms: about 2.5 s, most of it after the signal
    const upload = uploadFile(gw.url, acct.keys[0], 8 * MB, { filename: 'slow.pdf', pauseMs: 20, onChunk: (n) => (sent = n) });
    await until('the upload under way', () => sent >= MB, 10_000);
    const signalled = Date.now() - load.startedAt;
    const exit = gw.signal('SIGTERM');
    await sleep(300);
    const fresh = await freshGet(gw.url, '/api/v1/spreadsheets', { 'X-API-Key': acct.keys[1] });
    const uploaded = await upload;
    expect(sent).toBeLessThan(8 * MB + 1);
    expect(await exit).toEqual({ code: 0, signal: null });
    await load.stop();

    expect(uploaded.status).toBe(200);
    expect(await uploaded.json()).toMatchObject({ filename: 'slow.pdf' });
    // a new connection after the signal: refused, or the 503 of a draining gateway
    expect([503, 'ECONNREFUSED']).toContain(fresh);
    const answers = load.answers;
    // after the signal: served, refused as each protocol refuses an unavailable service (503 with Retry-After;
    // Planfix's 0011 envelope), or a refused connection; never another error
    const drained = (a: (typeof answers)[number]) =>
      (a.status === 503 && !!a.retryAfter) || (a.protocol === 'planfix' && a.status === 200 && a.detail === '0011');
    // in flight at the signal: completed normally. The client's clock cannot see when the server read a request: one
    // sent just before the signal may still sit unread while the server's loop is busy (the embedded store runs its
    // queries on that loop), reach it after the drain began and be refused as new. Only a request sent within
    // UNREAD_MS of the signal may be refused that way; the upload, seconds old at the signal, must complete.
    const UNREAD_MS = 250;
    const inFlight = answers.filter((a) => a.at <= signalled && a.at + a.ms >= signalled);
    expect(inFlight.length).toBeGreaterThan(0);
    const cut = inFlight.filter((a) => !a.ok && !(drained(a) && a.at > signalled - UNREAD_MS));
    expect(cut.map((a) => `${a.protocol} ${a.status} ${a.error ?? a.detail} sent ${signalled - a.at} ms before the signal`)).toEqual([]);
    const unclean = answers.filter((a) => !a.ok && !drained(a) && !(a.status === 0 && a.error === 'ECONNREFUSED'));
    expect(unclean.map((a) => `${a.protocol} ${a.name} ${a.status} ${a.error ?? a.detail} at ${a.at - signalled} for ${a.ms} ms`)).toEqual(
      [],
    );
    expect(answers.some((a) => a.at > signalled && a.status === 0 && a.error === 'ECONNREFUSED')).toBe(true);

    // the upload was committed: a restarted gateway serves it
    const again = await start(gw.dataDir);
    const { files: list } = (await (await fetch(`${again.url}/api/v1/files`, { headers: { 'X-API-Key': acct.keys[0] } })).json()) as {
      files: { filename: string; size: number }[];
    };
    expect(list.map((f) => [f.filename, f.size])).toEqual([['slow.pdf', 8 * MB]]);
    expect(existsSync(join(gw.dataDir, 'files'))).toBe(true);
  }, 120_000);
});

/**
 * The same kill -9 with the contents in the database (FILES_STORE=database, the default on PostgreSQL): the chunks
 * already stored belong to an incomplete blob that no row names; the restart on this host sees that its writer is
 * gone and deletes it at once.
 */
(process.env.DATABASE_URL ? describe : describe.skip)('gateway process killed during an upload to the database store', () => {
  let store: Awaited<ReturnType<typeof childStore>>;
  let db: Client;
  const gateways: GatewayProcess[] = [];
  const start = async (dataDir?: string) => {
    const gw = new GatewayProcess(
      { ...store.env, LOG_LEVEL: 'warn', FILES_STORE: 'database' },
      { baseline: false, stderr: 'capture', dataDir },
    );
    gateways.push(gw);
    await gw.start();
    return gw;
  };
  const blobs = async () =>
    (
      await db.query<{ blobs: number; partial: number; stored: number }>(
        `SELECT (SELECT count(*) FROM file_blobs)::int AS blobs, (SELECT count(*) FROM file_blobs WHERE NOT complete)::int AS partial,
                (SELECT coalesce(sum(length(data)), 0) FROM file_blob_chunks)::int AS stored`,
      )
    ).rows[0];

  beforeAll(async () => {
    ensureBuilt();
    store = await childStore('postgres');
    db = new Client({ connectionString: store.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    for (const gw of gateways) await gw.signal('SIGKILL');
    await db?.end();
    await store?.drop();
  });

  it('kill -9 during a 50 MB upload: after the restart no chunk and no row is left, and uploads work', async () => {
    const gw = await start();
    const acct = await provisionAccount(gw.url, { prefix: 'kill9db', keys: 1, events: 1 });
    const upload = uploadFile(gw.url, acct.keys[0], 50 * MB, { filename: 'big.pdf', pauseMs: 2 }).then(
      (res) => res.status,
      (e: Error) => e.name,
    );
    // bounded: 60 s of probes
    for (let i = 0; i < 600 && (await blobs()).stored < 10 * MB; i++) await sleep(100);
    expect((await blobs()).stored).toBeGreaterThanOrEqual(10 * MB);
    await gw.signal('SIGKILL');
    expect(await upload).toBe('TypeError'); // fetch failed: the connection broke mid-body
    expect(await blobs()).toMatchObject({ blobs: 1, partial: 1 }); // what the crash left behind

    const again = await start(gw.dataDir);
    expect(await blobs()).toEqual({ blobs: 0, partial: 0, stored: 0 });
    const key = { 'X-API-Key': acct.keys[0] };
    expect(await (await fetch(`${again.url}/api/v1/files`, { headers: key })).json()).toEqual({ count: 0, files: [] });
    expect((await uploadFile(again.url, acct.keys[0], 3 * MB, { filename: 'big.pdf' })).status).toBe(200);
    expect(await blobs()).toEqual({ blobs: 1, partial: 0, stored: 3 * MB });
    const down = await fetch(`${again.url}/api/v1/files/big.pdf`, { headers: key });
    expect((await down.arrayBuffer()).byteLength).toBe(3 * MB);
  }, 120_000);
});
