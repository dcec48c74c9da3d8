/** Small timing helpers: wall-clock per call, amortized over many calls, after a warm-up. */

export interface Timing {
  /** Mean microseconds per call. */
  meanUs: number;
  p50Us: number;
  p99Us: number;
  calls: number;
}

/** Times `fn` sequentially: `warmup` untimed calls, then calls for about `ms` milliseconds. */
export async function timeSequential(fn: () => unknown, ms: number, warmup = 200): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) * 1000);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    meanUs: mean,
    p50Us: samples[Math.floor(samples.length / 2)],
    p99Us: samples[Math.floor(samples.length * 0.99)],
    calls: samples.length,
  };
}

/** Amortized cost of a synchronous-fast async function: total time of a tight batch divided by its size. */
export async function timeAmortized(fn: () => unknown, batch: number, rounds: number): Promise<number> {
  for (let i = 0; i < batch; i++) await fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    best = Math.min(best, ((performance.now() - t0) * 1000) / batch);
  }
  return best;
}
