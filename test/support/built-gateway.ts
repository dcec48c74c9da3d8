import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createScratchDatabase } from './pg-admin.js';

export const ROOT = join(__dirname, '..', '..');

/** The newest modification time under a folder (sources the built gateway must not be older than). */
function newest(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** Tests that run the built gateway: build it when missing or older than the sources (CI builds first). */
export function ensureBuilt(): void {
  const entry = join(ROOT, 'dist', 'src', 'main.js');
  const sources = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'libs')), newest(join(ROOT, 'bench')));
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return;
  execFileSync('npx', ['nest', 'build'], { cwd: ROOT, stdio: 'ignore', timeout: 240_000 });
}

/** The stores a gateway child can run on here: its embedded store always, PostgreSQL when DATABASE_URL is set. */
export const CHILD_STORES = ['embedded', ...(process.env.DATABASE_URL ? ['postgres' as const] : [])] as const;

/**
 * The store of a gateway child: on PostgreSQL a scratch database beside DATABASE_URL, so that no other test's
 * gateway shares its runs and counters; embedded: the child's own store under its DATA_DIR.
 */
export async function childStore(kind: 'embedded' | 'postgres' = process.env.DATABASE_URL ? 'postgres' : 'embedded'): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (kind === 'embedded' || !process.env.DATABASE_URL) return { env: {}, drop: async () => undefined };
  const db = await createScratchDatabase(process.env.DATABASE_URL);
  return { env: { DATABASE_URL: db.url }, drop: () => db.drop() };
}
