import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { type StoreService } from '#store';
import {
  BlobMissingError,
  BlobTooLargeError,
  processAlive,
  STORAGE_KEY,
  SWEEP_GRACE_MS,
  type BlobStore,
  type StoredBlob,
} from './blob-store.js';

/** 256 KiB a row: a 50 MB file is 200 rows, and an upload or a download holds one chunk at a time. */
export const CHUNK_BYTES = 256 * 1024;
/** Orphans deleted per statement by the sweep, and at most this many statements in one sweep. */
const SWEEP_BATCH = 100;
const SWEEP_MAX_BATCHES = 1_000;
/** The writer of a blob: a restart on the same host can tell its own dead uploads (as the folder's temp names do). */
export const BLOB_WRITER = `${hostname()}~${process.pid}`;

export interface DatabaseBlobStoreOptions {
  /** Blobs no file names are swept once older than this (default one hour: an upload may still be committing). */
  graceMs?: number;
  chunkBytes?: number;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * File contents in the store (FILES_STORE=database), shared by every instance on it: a `file_blobs` row per blob and
 * its bytes in `file_blob_chunks`, written one chunk per statement as the upload arrives and read back one chunk per
 * statement as the client takes them. The row turns `complete` after its last chunk; only a complete blob is read.
 * A write that fails removes its rows; one cut short by a crash leaves an incomplete row that the sweep deletes.
 * Each chunk is its own statement (no transaction held for an upload's minutes): the embedded store's one
 * connection and PostgreSQL's pool stay free for other requests between chunks.
 */
export class DatabaseBlobStore implements BlobStore {
  readonly kind = 'database';
  private readonly graceMs: number;
  private readonly chunkBytes: number;

  constructor(
    private readonly store: StoreService,
    options: DatabaseBlobStoreOptions = {},
  ) {
    this.graceMs = options.graceMs ?? SWEEP_GRACE_MS;
    this.chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  }

  write(source: Readable, maxBytes: number): Promise<StoredBlob> {
    return this.writeAs(randomUUID(), source, maxBytes);
  }

  /** `write` under a given key (importing a folder's blob keeps its key, which a file row names). */
  async writeAs(storageKey: string, source: Readable, maxBytes: number): Promise<StoredBlob> {
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    // One buffer for every chunk, filled from the source and reused once its row is stored: an upload allocates one
    // chunk, not one per row (the driver still copies each into its message).
    const chunk = Buffer.allocUnsafe(this.chunkBytes);
    let filled = 0;
    const store = async () => {
      await this.store.query(`INSERT INTO file_blob_chunks (storage_key, seq, data) VALUES ($1, $2, $3)`, [
        storageKey,
        seq++,
        chunk.subarray(0, filled),
      ]);
      filled = 0;
    };
    await this.store.query(`INSERT INTO file_blobs (storage_key, writer) VALUES ($1, $2)`, [storageKey, BLOB_WRITER]);
    try {
      // Pulled as the chunks are stored: the source waits while a chunk is written (never more than a chunk ahead).
      for await (const piece of source) {
        const bytes = typeof piece === 'string' ? Buffer.from(piece) : (piece as Buffer);
        size += bytes.length;
        if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
        hash.update(bytes);
        // bounded: each turn copies a part of the piece, at least one byte, and stores the chunk when it is full
        for (let at = 0; at < bytes.length;) {
          const n = bytes.copy(chunk, filled, at);
          filled += n;
          at += n;
          if (filled === this.chunkBytes) await store();
        }
      }
      if (filled > 0) await store();
      const sha256 = hash.digest('hex');
      await this.store.query(`UPDATE file_blobs SET complete = true, size = $2, sha256 = $3 WHERE storage_key = $1`, [
        storageKey,
        size,
        sha256,
      ]);
      return { storageKey, size, sha256 };
    } catch (e) {
      await this.remove(storageKey).catch(() => undefined);
      throw e;
    }
  }

  async has(storageKey: string): Promise<boolean> {
    const [row] = await this.store.query(`SELECT 1 FROM file_blobs WHERE storage_key = $1 AND complete`, [storageKey]);
    return !!row;
  }

  async open(storageKey: string): Promise<Readable> {
    if (!STORAGE_KEY.test(storageKey)) throw new Error('not a storage key');
    const [blob] = await this.store.query<{ size: string | number }>(`SELECT size FROM file_blobs WHERE storage_key = $1 AND complete`, [
      storageKey,
    ]);
    if (!blob) throw new BlobMissingError(storageKey);
    const size = Number(blob.size);
    const store = this.store;
    let seq = 0;
    let sent = 0;
    // One chunk per read: the stream asks for the next only once the client took the last (highWaterMark 1 chunk).
    return new Readable({
      highWaterMark: this.chunkBytes,
      read() {
        store
          .query<{ data: Uint8Array }>(`SELECT data FROM file_blob_chunks WHERE storage_key = $1 AND seq = $2`, [storageKey, seq])
          .then(([row]) => {
            if (!row) {
              // all of it, or the blob went (deleted or replaced) while it was read: the client sees a cut transfer
              if (sent === size) this.push(null);
              else this.destroy(new BlobMissingError(storageKey));
              return;
            }
            seq++;
            const data = asBuffer(row.data);
            sent += data.length;
            this.push(data);
          })
          .catch((e: Error) => this.destroy(e));
      },
    });
  }

  async remove(storageKey: string): Promise<void> {
    await this.store.query(`DELETE FROM file_blobs WHERE storage_key = $1`, [storageKey]);
  }

  /**
   * Deletes at once the incomplete blobs of writers on this host that are gone (this very process before a restart
   * that got the same pid, or a process that no longer exists), then, in bounded batches, every blob older than the
   * grace period that no file row names (incomplete ones of other hosts, uploads whose commit never came).
   */
  async sweep(): Promise<number> {
    let removed = 0;
    const mine = await this.store.query<{ storageKey: string; writer: string }>(
      `SELECT storage_key AS "storageKey", writer FROM file_blobs WHERE NOT complete AND writer LIKE $1`,
      [`${hostname().replace(/[\\%_]/g, '\\$&')}~%`],
    );
    for (const { storageKey, writer } of mine) {
      const pid = Number(writer.slice(writer.lastIndexOf('~') + 1));
      if (pid === process.pid || !processAlive(pid)) {
        await this.remove(storageKey);
        removed++;
      }
    }
    for (let i = 0; i < SWEEP_MAX_BATCHES; i++) {
      const gone = await this.store.query(
        `DELETE FROM file_blobs WHERE storage_key IN (
           SELECT b.storage_key FROM file_blobs b
            WHERE b.created_at < now() - make_interval(secs => $1::double precision / 1000)
              AND NOT EXISTS (SELECT 1 FROM files f WHERE f.storage_key = b.storage_key)
            LIMIT ${SWEEP_BATCH})
         RETURNING storage_key`,
        [this.graceMs],
      );
      removed += gone.length;
      if (gone.length < SWEEP_BATCH) break;
    }
    return removed;
  }
}
