// Builds dist/ with `nest build` only when a source or build setting is newer than the last build, so that
// `npm test -- <path>` starts at once when nothing changed (the tests that run the built gateway need dist/).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const newest = (path) =>
  statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name)))) : statSync(path).mtimeMs;

const entry = join(root, 'dist', 'src', 'main.js');
const inputs = ['src', 'libs', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'].map((p) =>
  join(root, p),
);
if (existsSync(entry) && statSync(entry).mtimeMs >= Math.max(...inputs.map(newest))) {
  process.stdout.write('dist/ is up to date\n');
} else {
  execFileSync('npx', ['nest', 'build'], { cwd: root, stdio: 'inherit' });
}
