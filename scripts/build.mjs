// Builds dist/ with the TypeScript compiler: `node scripts/build.mjs` always, `--if-stale` only when a source or build
// setting is newer than the last build, so that `npm test -- <path>` starts at once when nothing changed (the tests
// that run the built gateway need dist/). The output folder is emptied first: a deleted source leaves no stale module.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const newest = (path) =>
  statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name)))) : statSync(path).mtimeMs;

const PREPARED = join(root, 'dist', 'prepared-store');

function isFresh() {
  const entry = join(root, 'dist', 'src', 'main.js');
  if (!existsSync(join(PREPARED, 'PG_VERSION'))) return false;
  const inputs = ['src', 'libs', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((p) => join(root, p));
  return existsSync(entry) && statSync(entry).mtimeMs >= Math.max(...inputs.map(newest));
}

if (process.argv.includes('--if-stale') && isFresh()) {
  process.stdout.write('dist/ is up to date\n');
} else {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  // The empty database a gateway's first start copies (dist/prepared-store): initdb runs here, in a process of its own.
  const prepare = `import { prepareDataDir } from '#store'; await prepareDataDir(${JSON.stringify(PREPARED)});`;
  execFileSync(process.execPath, ['--input-type=module', '-e', prepare], { cwd: root, stdio: 'inherit' });
}
