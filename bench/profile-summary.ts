import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * The newest V8 CPU profile in `dir` as a short table: self time by function, and by where the code lives (our
 * code, the store driver, Nest/Express, pino, Node itself), which is what tells a protocol's overhead apart from
 * the work it does. The full profile opens in Chrome DevTools or speedscope.
 */
export function summariseLatestProfile(dir: string, top = 25): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (!files.length) return `no profile in ${dir}`;
  const newest = files.map((f) => join(dir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  const { nodes } = JSON.parse(readFileSync(newest, 'utf8')) as { nodes: ProfileNode[] };
  const total = nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0) || 1;
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const n of nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const fn = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    byArea.set(areaOf(url, functionName), (byArea.get(areaOf(url, functionName)) ?? 0) + hits);
  }
  const table = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(6)} %  ${k}`)
      .join('\n');
  return `CPU profile ${newest}\nself time by area:\n${table(byArea, 12)}\nself time by function (top ${top}):\n${table(byFunction, top)}`;
}

function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node';
  const ours = /dist\/(libs\/[^/]+|src\/[^/]+(\/[^/]+)?)/.exec(url);
  return ours ? ours[1] : url;
}
