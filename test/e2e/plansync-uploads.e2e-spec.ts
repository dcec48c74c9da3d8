import { request as httpRequest, type IncomingMessage } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { FilesService } from '#files';
import { StoreService } from '#store';
import { createAccountWithKey, type AccountWithKey } from '../factories/admin.factory.js';
import { bytesOf, plansync } from '../factories/plansync.factory.js';
import { blobState } from '../support/blob-state.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MB = 1024 * 1024;
const LIMIT = 52_428_800;

/** A multipart upload streamed from generated chunks: the test never holds the file in memory either. */
function streamUpload(port: number, key: string, size: number, options: { abortAfter?: number; filename?: string } = {}) {
  const boundary = 'plangateUploadBoundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="company_name"\r\n\r\nAcme Corp\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="document_type"\r\n\r\nReport\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${options.filename ?? 'big.pdf'}"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent === 0) this.push(head);
      if (options.abortAfter !== undefined && sent >= options.abortAfter) {
        this.destroy(new Error('client gave up'));
        return;
      }
      if (sent >= size) {
        this.push(tail);
        this.push(null);
        return;
      }
      const n = Math.min(chunk.length, size - sent);
      sent += n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/api/v1/files/upload',
        headers: { 'X-API-Key': key, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      },
      (res: IncomingMessage) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    body.on('error', (e) => req.destroy(e));
    body.pipe(req);
  });
}

describe('PlanSync uploads at the limits', () => {
  let t: TestApp;
  let port: number;
  let acct: AccountWithKey;

  beforeAll(async () => {
    t = await startTestApp({ embeddedOnDisk: false });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    acct = await createAccountWithKey(t.app.getHttpServer());
  });
  afterAll(() => t.close());

  /**
   * MB the process may grow by while a 50 MB upload is stored. The folder store writes the socket's own buffers; the
   * database store hands each 256 KiB chunk to the driver, which copies it into its message buffers (two copies a
   * chunk), and V8 frees such buffers lazily (after tens of MB of them): that garbage, not the file, is what the larger
   * bound allows. That the database store never runs more than a chunk ahead of what it stored is checked exactly in
   * test/integration/database-blob-store.int-spec.ts.
   */
  const growthBound = () => (t.app.get(FilesService).blobs.kind === 'folder' ? 32 : 96);
  const rowsOf = async (username: string) =>
    (
      await t.app
        .get(StoreService)
        .query<{ n: number }>(`SELECT count(*)::int AS n FROM files f JOIN users u ON u.id = f.owner_user_id WHERE u.username = $1`, [
          username,
        ])
    )[0].n;

  it('stores a 50 MB upload with the process memory growing by less than 32 MB, and serves it back', async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const res = await streamUpload(port, acct.key, LIMIT);
    clearInterval(sampler);
    expect(res.body).toContain('File uploaded successfully');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.metadata.size).toBe(LIMIT);
    expect((peak - before) / MB).toBeLessThan(growthBound());
    const bytes = await bytesOf(plansync(t.app.getHttpServer(), acct.key).get('/api/v1/files/big.pdf'));
    expect(bytes.length).toBe(LIMIT);
  });

  it('refuses one byte over the limit with 400, keeping nothing and memory flat', async () => {
    const a = await createAccountWithKey(t.app.getHttpServer());
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const res = await streamUpload(port, a.key, LIMIT + 1);
    clearInterval(sampler);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ detail: 'File exceeds the 50 MB limit' });
    expect((peak - before) / MB).toBeLessThan(growthBound());
    expect(await rowsOf(a.username)).toBe(0);
    expect((await blobState(t)).partial).toBe(0);
  });

  it('answers a file whose content the store lost with 404 and a message saying so, not 500', async () => {
    const a = await createAccountWithKey(t.app.getHttpServer());
    const api = plansync(t.app.getHttpServer(), a.key);
    const up = await api.upload('lost.pdf', '%PDF-1.4 lost').expect(200);
    expect(up.body.metadata.size).toBe(13);
    const [{ storageKey }] = await t.app
      .get(StoreService)
      .query<{ storageKey: string }>(
        `SELECT f.storage_key AS "storageKey" FROM files f JOIN users u ON u.id = f.owner_user_id WHERE f.filename = 'lost.pdf' AND u.username = $1`,
        [a.username],
      );
    // what an operator's mistake does: the row stays, its content goes (a folder emptied, a blob deleted)
    await t.app.get(FilesService).blobs.remove(storageKey);
    const res = await api.get('/api/v1/files/lost.pdf').expect(404);
    expect(res.body).toEqual({ detail: 'File content not found: the file store has no content for this file' });
    expect((await api.get('/api/v1/files').expect(200)).body.count).toBe(1);
  });

  it('leaves no file and no row when the client aborts halfway', async () => {
    const a = await createAccountWithKey(t.app.getHttpServer());
    const blobsBefore = (await blobState(t)).total;
    await expect(streamUpload(port, a.key, 20 * MB, { abortAfter: 8 * MB })).rejects.toThrow();
    // The server notices the abort asynchronously: give it a moment, then look.
    for (let i = 0; i < 50 && (await blobState(t)).partial > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await blobState(t)).partial).toBe(0);
    expect((await blobState(t)).total).toBe(blobsBefore);
    expect(await rowsOf(a.username)).toBe(0);
  });
});
