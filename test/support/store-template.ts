import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, runMigrations } from '#store';

const ROOT = join(__dirname, '..', '..');
const MIGRATIONS_DIR = join(ROOT, 'libs', 'store', 'src', 'migrations');
// (the package's exports do not include its package.json)
const PGLITE_VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string }
).version;

let made: Promise<string> | undefined;

/**
 * A migrated, empty embedded store as a tarball, made once and kept in the temporary folder under a name that hashes
 * PGlite's version and every migration's text: each test file's in-memory store starts from it instead of paying
 * PostgreSQL's initdb and the migrations (about 5 s a file on this machine). Two workers that make it at once each
 * write their own file and rename it into place, so a reader never sees half of one.
 */
export function storeTemplate(): Promise<string> {
  made ??= (async () => {
    const hash = createHash('sha256').update(PGLITE_VERSION);
    for (const name of readdirSync(MIGRATIONS_DIR).sort()) hash.update(name).update(readFileSync(join(MIGRATIONS_DIR, name)));
    const path = join(tmpdir(), `plangate-store-template-${hash.digest('hex').slice(0, 16)}.tar`);
    if (existsSync(path)) return path;
    const store = await openStore({ kind: 'embedded', dataDir: 'memory://' });
    try {
      await runMigrations(store.dataSource);
      const tar = Buffer.from(await (await store.dumpDataDir!()).arrayBuffer());
      const partial = `${path}.${process.pid}.partial`;
      writeFileSync(partial, tar);
      renameSync(partial, path);
    } finally {
      await store.close();
    }
    return path;
  })();
  return made;
}
