import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FolderBlobStore } from './blob-store.js';

describe('FolderBlobStore.sweep at start', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'plangate-blobs-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const uuid = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

  it('removes at once the temp files of uploads whose process died on this host, and keeps the others until the grace period', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const names = {
      deadWriter: `.incoming-${hostname()}~${dead}~${uuid(1)}`,
      thisPidBeforeRestart: `.incoming-${hostname()}~${process.pid}~${uuid(2)}`,
      liveWriter: `.incoming-${hostname()}~${process.ppid}~${uuid(3)}`,
      otherHost: `.incoming-elsewhere.example~${dead}~${uuid(4)}`,
      unnamedWriter: `.incoming-${uuid(5)}`,
      unreferencedBlob: uuid(6),
    };
    const store = new FolderBlobStore(dir, async () => false);
    for (const name of Object.values(names)) writeFileSync(join(dir, name), 'partial');

    expect(await store.sweep()).toBe(2);
    expect(readdirSync(dir).sort()).toEqual([names.liveWriter, names.otherHost, names.unnamedWriter, names.unreferencedBlob].sort());
  });

  it('names its temp files after this host and process while writing', async () => {
    const store = new FolderBlobStore(dir);
    let seen: string[] = [];
    const source = Readable.from(
      (async function* () {
        yield Buffer.from('abc');
        // the write stream opens its file asynchronously: wait for it (the test times out if it never comes)
        while ((seen = readdirSync(dir)).length === 0) await new Promise((r) => setTimeout(r, 5));
        yield Buffer.from('def');
      })(),
    );
    const blob = await store.write(source, 100);
    expect(seen).toEqual([
      expect.stringMatching(new RegExp(`^\\.incoming-${hostname().replace(/\./g, '\\.')}~${process.pid}~${blob.storageKey}$`)),
    ]);
    expect(readdirSync(dir)).toEqual([blob.storageKey]);
  });
});
