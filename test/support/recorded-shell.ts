import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One `curl` the script ran: the script line it started on, curl's exit code, the HTTP status and the body. */
export interface CurlCall {
  line: number;
  exitCode: number;
  status: number;
  body: string;
}

export interface RecordedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  calls: CurlCall[];
}

// Sourced by bash before the script (BASH_ENV): real curl, with what it answered written aside; the call site's
// line (BASH_LINENO) is the line the command starts on, also inside $(…) and pipelines. Background jobs the script
// starts (a webhook receiver) end with it.
const PROLOGUE = `
curl() {
  local f; f=$(mktemp "$__CALLS/body.XXXXXX")
  command curl -w '%{stderr}%{http_code}' "$@" >"$f" 2>"$f.status"
  local rc=$?
  printf '%s %s %s %s\\n' "\${BASH_LINENO[0]}" "$rc" "$(tail -c 3 "$f.status")" "$f" >>"$__CALLS/log"
  cat "$f"
  return $rc
}
trap 'kill $(jobs -p) 2>/dev/null' EXIT
`;

/**
 * Runs a bash script the way a user pastes commands into a terminal (no `set -e`: every command runs), in `cwd`,
 * and returns every curl call it made, in the order they finished.
 */
export async function runRecordedShell(
  script: string,
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<RecordedRun> {
  const calls = mkdtempSync(join(tmpdir(), 'plangate-curl-'));
  const prologue = join(calls, 'prologue.sh');
  writeFileSync(prologue, PROLOGUE);
  writeFileSync(join(calls, 'log'), '');
  writeFileSync(join(calls, 'script.sh'), script);
  const child = spawn('bash', [join(calls, 'script.sh')], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: options.cwd, ...options.env, BASH_ENV: prologue, __CALLS: calls },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timeout = setTimeout(() => killGroup(child.pid!), options.timeoutMs ?? 120_000);
  const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  clearTimeout(timeout);
  killGroup(child.pid!);
  try {
    const recorded = readFileSync(join(calls, 'log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((row) => {
        const [line, exitCode, status, file] = row.split(' ');
        return { line: Number(line), exitCode: Number(exitCode), status: Number(status), body: readFileSync(file, 'utf8') };
      });
    return { code, stdout, stderr, calls: recorded };
  } finally {
    rmSync(calls, { recursive: true, force: true });
  }
}

/** What a script left running (e.g. a receiver started with `&`) ends with it. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
