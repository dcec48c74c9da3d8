import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, type ReadStream } from 'node:fs';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredBlob {
  storageKey: string;
  size: number;
  sha256: string;
}

/** The stream was longer than allowed: nothing was kept. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`blob exceeds ${maxBytes} bytes`);
  }
}

const TEMP_PREFIX = '.incoming-';
/** Blobs and temp files younger than this are never swept: an upload may still be committing them. */
const SWEEP_GRACE_MS = 60 * 60_000;
/** `.incoming-<host>~<pid>~<uuid>`: the writer of a temp file, so that a restart can tell its own dead uploads. */
const OWNED_TEMP = /^\.incoming-(.+)~(\d+)~[0-9a-f-]{36}$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A temp file whose writer is certainly gone: written on this host by this very process before it started (a
 * restart that got the same pid, as pid 1 in a container) or by a process that no longer exists. Another host's or
 * a live process's temp file is left to the grace period (folders may be shared by instances).
 */
function orphanedTemp(name: string): boolean {
  const m = OWNED_TEMP.exec(name);
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  return pid === process.pid || !processAlive(pid);
}

/**
 * File contents under DATA_DIR/files: streamed to a hidden temp file beside the final place while hashing, fsynced,
 * then renamed to a random storage key (never derived from the filename). A blob is either complete under its key
 * or absent; temp files and blobs no row refers to are swept.
 */
export class BlobStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /**
   * Writes a stream to a new blob. Past `maxBytes` it stops writing, deletes the temp file and throws
   * BlobTooLargeError (the caller drains or closes the source). Any failure leaves nothing behind.
   */
  async write(source: Readable, maxBytes: number): Promise<StoredBlob> {
    const storageKey = randomUUID();
    const temp = join(this.dir, `${TEMP_PREFIX}${hostname()}~${process.pid}~${storageKey}`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new BlobTooLargeError(maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
      const fd = await open(temp, 'r');
      try {
        await fd.sync();
      } finally {
        await fd.close();
      }
      await rename(temp, join(this.dir, storageKey));
      return { storageKey, size, sha256: hash.digest('hex') };
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw e;
    }
  }

  read(storageKey: string): ReadStream {
    return createReadStream(this.path(storageKey));
  }

  async remove(storageKey: string): Promise<void> {
    await unlink(this.path(storageKey)).catch(() => undefined);
  }

  /**
   * Deletes temp files and unreferenced blobs older than the grace period, and at once the temp files of uploads
   * whose process died on this host (kill -9, a crash: see orphanedTemp); returns how many went. Run at start, before
   * this process accepts uploads.
   */
  async sweep(referenced: (storageKey: string) => Promise<boolean>): Promise<number> {
    let removed = 0;
    const now = Date.now();
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      if (name.startsWith(TEMP_PREFIX) && orphanedTemp(name)) {
        await unlink(path).catch(() => undefined);
        removed++;
        continue;
      }
      if (now - info.mtimeMs < SWEEP_GRACE_MS) continue;
      if (name.startsWith(TEMP_PREFIX) || !(await referenced(name))) {
        await unlink(path).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }

  private path(storageKey: string): string {
    if (!/^[0-9a-f-]{36}$/.test(storageKey)) throw new Error('not a storage key');
    return join(this.dir, storageKey);
  }
}
