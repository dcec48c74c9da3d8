import { spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { BLOB_WRITER, BlobMissingError, BlobTooLargeError, CHUNK_BYTES, DatabaseBlobStore } from '#files';
import { openStore, runMigrations, StoreService, type OpenedStore } from '#store';
import { createScratchDatabase } from '../support/pg-admin.js';
import { storeTemplate } from '../support/store-template.js';
import { ON_POSTGRES } from '../support/test-app.js';

const MB = 1024 * 1024;

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** `size` bytes in pieces of `piece`, generated as they are pulled. */
function source(bytes: Buffer, piece: number): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (at >= bytes.length) return void this.push(null);
      this.push(bytes.subarray(at, at + piece));
      at += piece;
    },
  });
}

/**
 * FILES_STORE=database on its own store: a scratch PostgreSQL database under npm run test:pg (the sweep must not
 * see other test files' uploads on the shared one), else an in-memory embedded store.
 */
describe(`DatabaseBlobStore on ${ON_POSTGRES ? 'PostgreSQL' : 'the embedded store'}`, () => {
  let opened: OpenedStore;
  let store: StoreService;
  let drop = async () => undefined as unknown;

  beforeAll(async () => {
    if (ON_POSTGRES) {
      const db = await createScratchDatabase(process.env.DATABASE_URL!);
      drop = db.drop;
      opened = await openStore({ kind: 'postgres', url: db.url });
    } else {
      opened = await openStore({ kind: 'embedded', dataDir: 'memory://', template: await storeTemplate() });
    }
    await runMigrations(opened.dataSource);
    store = new StoreService(opened);
  });
  afterAll(async () => {
    await opened?.close();
    await drop();
  });

  const rows = async (storageKey: string) =>
    (
      await store.query<{ blobs: number; chunks: number }>(
        `SELECT (SELECT count(*) FROM file_blobs WHERE storage_key = $1)::int AS blobs,
                (SELECT count(*) FROM file_blob_chunks WHERE storage_key = $1)::int AS chunks`,
        [storageKey],
      )
    )[0];
  const totalRows = async () =>
    (
      await store.query<{ blobs: number; chunks: number }>(
        `SELECT (SELECT count(*) FROM file_blobs)::int AS blobs, (SELECT count(*) FROM file_blob_chunks)::int AS chunks`,
      )
    )[0];

  it('writes in chunks and reads back byte for byte, with the size and the sha256', async () => {
    const blobs = new DatabaseBlobStore(store, { chunkBytes: 1000 });
    for (const size of [1, 999, 1000, 1001, 10_007]) {
      const bytes = randomBytes(size);
      const blob = await blobs.write(source(bytes, 333), size);
      expect(blob).toEqual({ storageKey: expect.any(String), size, sha256: createHash('sha256').update(bytes).digest('hex') });
      expect(await rows(blob.storageKey)).toEqual({ blobs: 1, chunks: Math.ceil(size / 1000) });
      expect((await readAll(await blobs.open(blob.storageKey))).equals(bytes)).toBe(true);
      await blobs.remove(blob.storageKey);
      expect(await rows(blob.storageKey)).toEqual({ blobs: 0, chunks: 0 });
    }
  });

  it('stores 5 MB of 256 KiB chunks, never pulling the source more than a chunk ahead of what it stored', async () => {
    const blobs = new DatabaseBlobStore(store);
    const key = randomUUID();
    const bytes = randomBytes(5 * MB);
    let pulled = 0;
    let furthest = 0;
    const piece = 64 * 1024;
    const pacedSource = new Readable({
      highWaterMark: 0,
      read() {
        void (async () => {
          const { chunks } = await rows(key);
          furthest = Math.max(furthest, pulled - chunks * CHUNK_BYTES);
          if (pulled >= bytes.length) return void this.push(null);
          this.push(bytes.subarray(pulled, pulled + piece));
          pulled += piece;
        })();
      },
    });
    const blob = await blobs.writeAs(key, pacedSource, bytes.length);
    expect(blob.size).toBe(bytes.length);
    // what was pulled but not stored: the chunk being filled and the pieces the stream buffers, never the file
    expect(furthest).toBeLessThanOrEqual(CHUNK_BYTES + 2 * piece);
    expect(await rows(key)).toEqual({ blobs: 1, chunks: 20 });
    expect((await readAll(await blobs.open(key))).equals(bytes)).toBe(true);
    await blobs.remove(key);
  });

  it('past the limit throws BlobTooLargeError and leaves no row', async () => {
    const blobs = new DatabaseBlobStore(store, { chunkBytes: 1000 });
    const before = await totalRows();
    await expect(blobs.write(source(randomBytes(5001), 500), 5000)).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(await totalRows()).toEqual(before);
  });

  it('a source that fails half way leaves no row', async () => {
    const blobs = new DatabaseBlobStore(store, { chunkBytes: 1000 });
    const before = await totalRows();
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= 4500) return void this.destroy(new Error('the upload was aborted'));
        sent += 500;
        this.push(randomBytes(500));
      },
    });
    await expect(blobs.write(failing, 10_000)).rejects.toThrow('the upload was aborted');
    expect(await totalRows()).toEqual(before);
  });

  it('refuses to read a missing or incomplete blob with BlobMissingError', async () => {
    const blobs = new DatabaseBlobStore(store);
    await expect(blobs.open(randomUUID())).rejects.toBeInstanceOf(BlobMissingError);
    const partial = randomUUID();
    await store.query(`INSERT INTO file_blobs (storage_key, writer) VALUES ($1, $2)`, [partial, BLOB_WRITER]);
    await store.query(`INSERT INTO file_blob_chunks (storage_key, seq, data) VALUES ($1, 0, $2)`, [partial, Buffer.from('half')]);
    await expect(blobs.open(partial)).rejects.toBeInstanceOf(BlobMissingError);
    await blobs.remove(partial);
  });

  it('sweeps dead writers of this host at once, and old blobs no file names after the grace period', async () => {
    const blobs = new DatabaseBlobStore(store, { chunkBytes: 1000 });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const partial = async (writer: string, ageHours = 0) => {
      const key = randomUUID();
      await store.query(`INSERT INTO file_blobs (storage_key, writer, created_at) VALUES ($1, $2, now() - make_interval(hours => $3))`, [
        key,
        writer,
        ageHours,
      ]);
      await store.query(`INSERT INTO file_blob_chunks (storage_key, seq, data) VALUES ($1, 0, $2)`, [key, Buffer.from('partial')]);
      return key;
    };
    const complete = async (ageHours: number) => {
      const blob = await blobs.write(source(Buffer.from('content'), 7), 100);
      await store.query(`UPDATE file_blobs SET created_at = now() - make_interval(hours => $2) WHERE storage_key = $1`, [
        blob.storageKey,
        ageHours,
      ]);
      return blob;
    };
    const [account] = await store.query<{ id: string }>(`INSERT INTO accounts (slug, name) VALUES ($1, 'Sweep') RETURNING id`, [
      `sweep-${randomUUID().slice(0, 8)}`,
    ]);
    const [user] = await store.query<{ id: string }>(
      `INSERT INTO users (account_id, username, email, role) VALUES ($1, $2, $3, 'admin') RETURNING id`,
      [account.id, `sweep-${randomUUID()}`, `${randomUUID()}@example.com`],
    );
    const [company] = await store.query<{ id: string }>(`INSERT INTO companies (account_id, name) VALUES ($1, 'Acme') RETURNING id`, [
      account.id,
    ]);
    const keys = {
      deadWriter: await partial(`${hostname()}~${dead}`),
      thisPidBeforeRestart: await partial(`${hostname()}~${process.pid}`),
      liveWriter: await partial(`${hostname()}~${process.ppid}`),
      otherHostYoung: await partial(`elsewhere.example~${dead}`),
      otherHostOld: await partial(`elsewhere.example~${dead}`, 2),
      unreferencedYoung: (await complete(0)).storageKey,
      unreferencedOld: (await complete(2)).storageKey,
      referencedOld: (await complete(2)).storageKey,
    };
    await store.query(
      `INSERT INTO files (account_id, owner_user_id, filename, company_id, document_type, content_type, size, sha256, storage_key)
       VALUES ($1, $2, 'kept.pdf', $3, 'Report', 'application/pdf', 7, 'x', $4)`,
      [account.id, user.id, company.id, keys.referencedOld],
    );

    expect(await blobs.sweep()).toBe(4);
    const left = await store.query<{ storageKey: string }>(
      `SELECT storage_key AS "storageKey" FROM file_blobs WHERE storage_key = ANY($1::text[])`,
      [Object.values(keys)],
    );
    const names = Object.fromEntries(Object.entries(keys).map(([name, key]) => [key, name]));
    expect(left.map((r) => names[r.storageKey]).sort()).toEqual(['liveWriter', 'otherHostYoung', 'referencedOld', 'unreferencedYoung']);
    for (const name of ['deadWriter', 'thisPidBeforeRestart', 'otherHostOld', 'unreferencedOld'] as const)
      expect(await rows(keys[name])).toEqual({ blobs: 0, chunks: 0 });
    expect((await readAll(await blobs.open(keys.referencedOld))).toString()).toBe('content');
  });
});
