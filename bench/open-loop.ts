import { Agent, request } from 'node:http';
import { type LoadResult, type Target } from './load.js';

/**
 * An open loop: requests start at evenly spaced instants (rate per second) whatever the answers do, each timed from
 * the instant it was due, not from when a socket was free (so a stall counts against every request it delays: no
 * coordinated omission). autocannon's `overallRate` releases each second's requests in a burst, which measured its
 * own queue: a p50 of 50 ms for a 4 ms route at 70 % load.
 */
export async function openLoop(url: string, target: Target, seconds: number, rate: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const base = new URL(url + target.path);
  const interval = 1000 / rate;
  const total = Math.max(1, Math.round(seconds * rate));
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const failures: Record<string, number> = {};
  const failed = (what: string) => (failures[what] = (failures[what] ?? 0) + 1);
  let turn = 0;
  const started = performance.now();
  const one = (due: number) =>
    new Promise<void>((resolve) => {
      const headers = { ...target.headers, ...(target.rotate?.length ? target.rotate[turn++ % target.rotate.length] : {}) };
      const req = request(base, { method: target.method ?? 'GET', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - due);
          if ((res.statusCode ?? 0) >= 300) {
            non2xx++;
            failed(String(res.statusCode));
          }
          resolve();
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        errors++;
        failed(e.code ?? e.message);
        resolve();
      });
      req.end(target.body);
    });
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(one(due));
  }
  await Promise.all(inFlight);
  agent.destroy();
  const elapsed = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), p999: at(0.999), errors, non2xx, failures };
}
