import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
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

/**
 * Where file contents live, chosen by FILES_STORE: a folder (FolderBlobStore) or the database (DatabaseBlobStore).
 * Both keep the same promises: a blob is readable under its key only once complete, a write that fails or is cut
 * short leaves nothing a reader sees, and what was left by a process that died is swept at start.
 */
export interface BlobStore {
  readonly kind: 'folder' | 'database';
  /**
   * Writes a stream to a new blob, never holding all of it. Past `maxBytes` it stops, removes what it wrote and
   * throws BlobTooLargeError (the caller drains or closes the source). Any failure leaves nothing behind.
   */
  write(source: Readable, maxBytes: number): Promise<StoredBlob>;
  /** The blob's content as a stream; BlobMissingError when the store has no complete blob under that key. */
  open(storageKey: string): Promise<Readable>;
  remove(storageKey: string): Promise<void>;
  /** Deletes what writes left behind and blobs no file refers to, past a grace period; returns how many went. */
  sweep(): Promise<number>;
}

/** A file row names a blob the store does not have (lost, or another instance's folder): answered, never a 500. */
export class BlobMissingError extends Error {
  constructor(readonly storageKey: string) {
    super(`no content is stored under ${storageKey}`);
  }
}

/** A storage key is a random UUID, never derived from a filename. */
export const STORAGE_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The stream was longer than allowed: nothing was kept. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`blob exceeds ${maxBytes} bytes`);
  }
}

const TEMP_PREFIX = '.incoming-';
/** Blobs and temp files younger than this are never swept: an upload may still be committing them. */
export const SWEEP_GRACE_MS = 60 * 60_000;
/** `.incoming-<host>~<pid>~<uuid>`: the writer of a temp file, so that a restart can tell its own dead uploads. */
const OWNED_TEMP = /^\.incoming-(.+)~(\d+)~[0-9a-f-]{36}$/;

export function processAlive(pid: number): boolean {
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
 * or absent; temp files and blobs no row refers to (`referenced`) are swept.
 */
export class FolderBlobStore implements BlobStore {
  readonly kind = 'folder';

  constructor(
    readonly dir: string,
    private readonly referenced: (storageKey: string) => Promise<boolean> = async () => true,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

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

  async open(storageKey: string): Promise<Readable> {
    const body = createReadStream(this.path(storageKey));
    await new Promise<void>((resolve, reject) => {
      body.once('open', () => resolve());
      body.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new BlobMissingError(storageKey) : e));
    });
    return body;
  }

  async remove(storageKey: string): Promise<void> {
    await unlink(this.path(storageKey)).catch(() => undefined);
  }

  /**
   * Deletes temp files and unreferenced blobs older than the grace period, and at once the temp files of uploads
   * whose process died on this host (kill -9, a crash: see orphanedTemp); returns how many went. Run at start, before
   * this process accepts uploads.
   */
  async sweep(): Promise<number> {
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
      if (name.startsWith(TEMP_PREFIX) || !(await this.referenced(name))) {
        await unlink(path).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }

  private path(storageKey: string): string {
    if (!STORAGE_KEY.test(storageKey)) throw new Error('not a storage key');
    return join(this.dir, storageKey);
  }
}
