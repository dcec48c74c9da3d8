import { evaluate, fixedWindowBounds, toWindowInput, type WindowInput, type WindowState } from './windows.js';

const T = Date.UTC(2025, 0, 15, 10, 30, 0, 0); // 2025-01-15T10:30:00.000Z

/** Runs admissions in sequence on one counter, as a storage would. */
function run(windows: WindowInput[], times: number[]): { admitted: boolean[]; last: ReturnType<typeof evaluate>['admission'] } {
  let state: WindowState[] = [];
  const admitted: boolean[] = [];
  let last!: ReturnType<typeof evaluate>['admission'];
  for (const now of times) {
    const r = evaluate(state, windows, now);
    state = r.state;
    admitted.push(r.admission.admitted);
    last = r.admission;
  }
  return { admitted, last };
}

describe('fixed calendar windows', () => {
  it('puts the last millisecond of a minute in that minute, and the next in the next', () => {
    const last = Date.UTC(2025, 0, 15, 10, 30, 59, 999);
    expect(fixedWindowBounds('minute', last)).toEqual({ start: Date.UTC(2025, 0, 15, 10, 30), end: Date.UTC(2025, 0, 15, 10, 31) });
    expect(fixedWindowBounds('minute', last + 1).start).toBe(Date.UTC(2025, 0, 15, 10, 31));
  });

  it('bounds an hour in UTC', () => {
    expect(fixedWindowBounds('hour', T)).toEqual({ start: Date.UTC(2025, 0, 15, 10), end: Date.UTC(2025, 0, 15, 11) });
  });

  it('changes day at local midnight in a non-UTC zone', () => {
    // 2025-01-15 23:59:59.999 in Tokyo (UTC+9) is 14:59:59.999 UTC; one millisecond later is a new day there.
    const lastMs = Date.UTC(2025, 0, 15, 14, 59, 59, 999);
    const day = fixedWindowBounds('day', lastMs, 'Asia/Tokyo');
    expect(day).toEqual({ start: Date.UTC(2025, 0, 14, 15), end: Date.UTC(2025, 0, 15, 15) });
    expect(fixedWindowBounds('day', lastMs + 1, 'Asia/Tokyo').start).toBe(Date.UTC(2025, 0, 15, 15));
  });

  it('has 23-hour and 25-hour days across daylight saving changes', () => {
    const spring = fixedWindowBounds('day', Date.UTC(2025, 2, 30, 12), 'Europe/Berlin'); // clocks go forward
    expect(spring.end - spring.start).toBe(23 * 3600_000);
    const autumn = fixedWindowBounds('day', Date.UTC(2025, 9, 26, 12), 'Europe/Berlin'); // clocks go back
    expect(autumn.end - autumn.start).toBe(25 * 3600_000);
  });

  it('admits exactly the limit in a window and restarts the count at the boundary', () => {
    const w = toWindowInput({ kind: 'fixed', name: 'm', limit: 3, unit: 'minute' }, T);
    const { admitted, last } = run([w], [T, T + 1, T + 2, T + 59_999]);
    expect(admitted).toEqual([true, true, true, false]);
    expect(last.results[0]).toEqual([0, T + 60_000, T + 60_000]);
    const next = toWindowInput({ kind: 'fixed', name: 'm', limit: 3, unit: 'minute' }, T + 60_000);
    const state = evaluate([], [w], T).state; // one counted in the old minute
    expect(evaluate(state, [next], T + 60_000).admission).toEqual({ admitted: true, results: [[2, T + 120_000, T + 60_000]] });
  });
});

describe('sliding windows', () => {
  const w: WindowInput = { k: 's', l: 3, w: 60_000 };

  it('refuses only when the limit was admitted in the preceding window', () => {
    const { admitted, last } = run([w], [T, T + 10_000, T + 20_000, T + 30_000]);
    expect(admitted).toEqual([true, true, true, false]);
    // The oldest (T) leaves at T + 60 s: that is when one more fits.
    expect(last.results[0]).toEqual([0, T + 60_000, T + 60_000]);
  });

  it('admits again the moment the oldest request leaves the window, not a millisecond before', () => {
    expect(run([w], [T, T + 1, T + 2, T + 59_999]).admitted).toEqual([true, true, true, false]);
    expect(run([w], [T, T + 1, T + 2, T + 60_000]).admitted).toEqual([true, true, true, true]);
  });

  it('does not count refused requests', () => {
    // Had the refusals at T+1 and T+2 been counted, only one would fit at T+60 s.
    const { admitted } = run([w], [T, T, T, T + 1, T + 2, T + 60_000, T + 60_000, T + 60_000, T + 60_000]);
    expect(admitted).toEqual([true, true, true, false, false, true, true, true, false]);
  });

  it('reports remaining after this request and when the oldest counted request leaves', () => {
    const { last } = run([w], [T, T + 5_000]);
    expect(last).toEqual({ admitted: true, results: [[1, T + 60_000, T + 5_000]] });
  });
});

describe('rolling windows above the exact limit (buckets)', () => {
  const spec = { kind: 'sliding' as const, name: 'big', limit: 100_000, seconds: 60 };

  it('keeps limits up to 1,000 exact and buckets larger ones in a hundredth of the window', () => {
    expect(toWindowInput({ ...spec, limit: 1000 }, T)).toEqual({ k: 's', l: 1000, w: 60_000 });
    expect(toWindowInput(spec, T)).toEqual({ k: 's', l: 100_000, w: 60_000, q: 600 });
  });

  it('keeps at most 101 buckets however many requests it admitted, and admits exactly the limit', () => {
    const w = [toWindowInput(spec, T)];
    let state: WindowState[] = [];
    let admitted = 0;
    // 120,000 requests spread over one minute, 2 a millisecond-step apart
    for (let i = 0; i < 120_000; i++) {
      const r = evaluate(state, w, T + Math.floor(i / 2));
      state = r.state;
      if (r.admission.admitted) admitted++;
    }
    expect(admitted).toBe(100_000);
    expect((state[0] as { b: unknown[] }).b.length).toBeLessThanOrEqual(101);
    expect(JSON.stringify(state).length).toBeLessThan(3000);
  });

  it('refuses at most one bucket early, never admits over the limit, and says when a request fits again', () => {
    const w: WindowInput[] = [{ k: 's', l: 2000, w: 60_000, q: 600 }];
    let state = evaluate([], w, T, 1000).state; // bucket [T, T+600)
    state = evaluate(state, w, T + 30_000, 1000).state; // bucket [T+30,000, T+30,600)
    const refused = evaluate(state, w, T + 30_000).admission;
    expect(refused.admitted).toBe(false);
    // the first bucket counts until its end leaves the window: T + 600 + 60,000
    expect(refused.results[0]).toEqual([0, T + 60_600, T + 60_600]);
    expect(evaluate(state, w, T + 60_599).admission.admitted).toBe(false);
    expect(evaluate(state, w, T + 60_600).admission).toEqual({ admitted: true, results: [[999, T + 90_600, T + 60_600]] });
  });
});

describe('token buckets', () => {
  const w: WindowInput = { k: 'b', r: 1 / 1000, b: 3 }; // 1 per second, burst 3

  it('admits a burst, then one per second', () => {
    expect(run([w], [T, T, T, T, T + 999, T + 1000, T + 1000]).admitted).toEqual([true, true, true, false, false, true, false]);
  });

  it('says when the next token arrives', () => {
    const { last } = run([w], [T, T, T, T]);
    expect(last).toEqual({ admitted: false, results: [[0, T + 3000, T + 1000]] });
  });

  it('never holds more than the burst', () => {
    expect(run([w], [T, T + 3_600_000, T + 3_600_000, T + 3_600_000, T + 3_600_000]).admitted).toEqual([true, true, true, true, false]);
  });
});

describe('several windows at once', () => {
  it('admits only if every window has room, and then counts in all of them', () => {
    const minute = toWindowInput({ kind: 'fixed', name: 'm', limit: 2, unit: 'minute' }, T);
    const hour = toWindowInput({ kind: 'fixed', name: 'h', limit: 3, unit: 'hour' }, T);
    let state: WindowState[] = [];
    const step = (now: number) => {
      const ws = [
        toWindowInput({ kind: 'fixed', name: 'm', limit: 2, unit: 'minute' }, now),
        toWindowInput({ kind: 'fixed', name: 'h', limit: 3, unit: 'hour' }, now),
      ];
      const r = evaluate(state, ws, now);
      state = r.state;
      return r.admission;
    };
    expect([minute, hour]).toHaveLength(2);
    expect(step(T).admitted).toBe(true);
    expect(step(T + 1).admitted).toBe(true);
    const refusedByMinute = step(T + 2);
    expect(refusedByMinute.admitted).toBe(false);
    // The hour window did not count the refused request: 2 of 3 used.
    expect(refusedByMinute.results[1][0]).toBe(1);
    expect(step(T + 60_000).admitted).toBe(true); // new minute, hour now 3 of 3
    const refusedByHour = step(T + 120_000);
    expect(refusedByHour.admitted).toBe(false);
    expect(refusedByHour.results[0][0]).toBe(2); // the minute window has room and counted nothing
  });
});
