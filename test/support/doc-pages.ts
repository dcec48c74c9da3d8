import { createServer } from 'node:net';
import { shellScriptOf } from './markdown-blocks.js';
import { type RecordedRun } from './recorded-shell.js';

/**
 * What the tests of the docs share: a page's `sh` blocks are run in order with real curl through bash, and every
 * curl must answer without an error but where the page says otherwise (`# → 409` at the end of its line).
 */

/** The page lines on which a curl command starts (comments aside). */
export function curlLines(markdown: string): number[] {
  return shellScriptOf(markdown, (l) => l)
    .split('\n')
    .flatMap((l, i) => (/^(?!\s*#)(.*[\s(])?curl\s/.test(l) ? [i + 1] : []));
}

/** bash names a multi-line pipeline inside $(…) by its last line: the command's line is the curl line at or before. */
export function commandLine(curls: number[], line: number): number {
  return curls.filter((n) => n <= line).at(-1) ?? line;
}

/** `# → 409` at the end of a page line: that command is meant to answer so. */
export function expectedStatus(line: string): number | undefined {
  const m = /#\s*→\s*(\d{3})\b/.exec(line);
  return m ? Number(m[1]) : undefined;
}

/** The curl lines of the page that the run never reached. */
export function notRun(page: string, markdown: string, run: RecordedRun): string[] {
  const curls = curlLines(markdown);
  const lines = markdown.split('\n');
  return curls
    .filter((n) => !run.calls.some((c) => commandLine(curls, c.line) === n))
    .map((n) => `${page}:${n} was not run: ${lines[n - 1]}`);
}

/** Each call that answered an error (or curl failed) where the page did not say it would, with bash's stderr. */
export function unexpectedAnswers(page: string, markdown: string, run: RecordedRun): string[] {
  const curls = curlLines(markdown);
  const lines = markdown.split('\n');
  const failures = run.calls.flatMap((call) => {
    const line = commandLine(curls, call.line);
    const expected = expectedStatus(lines[line - 1]);
    const ok =
      expected !== undefined
        ? call.status === expected
        : call.exitCode === 0 && call.status < 400 && !call.body.includes('<response status="error"');
    if (ok) return [];
    return [
      `${page}:${line}: ${lines[line - 1].trim()}\n  → curl exit ${call.exitCode}, HTTP ${call.status}${expected ? ` (expected ${expected})` : ''}: ${call.body.slice(0, 400)}`,
    ];
  });
  if (failures.length) failures.push(`bash stderr:\n${run.stderr.slice(0, 2000)}`);
  return failures;
}

/** A port nothing listens on now, for a receiver the page starts (its `.listen(4000)`). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
