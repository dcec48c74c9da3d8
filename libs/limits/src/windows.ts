import { DateTime } from 'luxon';

/**
 * What a limit is made of. A policy is admitted only if every one of its windows has room, and then it is counted
 * in all of them (a refused request is counted in none).
 */
export type WindowSpec =
  /**
   * Rolling window: refused when `limit` were admitted in the preceding `seconds`. Exact up to EXACT_SLIDING_LIMIT
   * (one stamp per request); above it the requests are counted in 100 buckets of `seconds`/100, each counted until
   * its end leaves the window, so a request is refused at most that long (0.6 s of a minute) early, never admitted
   * over the limit, and the stored state stays at most 101 buckets whatever the limit.
   */
  | { kind: 'sliding'; name: string; limit: number; seconds: number }
  /** Calendar window (UTC minute or hour; day in `timeZone`): the count restarts at each boundary. */
  | { kind: 'fixed'; name: string; limit: number; unit: 'minute' | 'hour' | 'day'; timeZone?: string }
  /** Token bucket: `ratePerSecond` sustained, up to `burst` at once. */
  | { kind: 'bucket'; name: string; ratePerSecond: number; burst: number };

/** A window as the storages evaluate it: plain numbers, times in epoch milliseconds (`q`: the bucket width, if any). */
export type WindowInput =
  { k: 'f'; l: number; s: number; e: number } | { k: 's'; l: number; w: number; q?: number } | { k: 'b'; r: number; b: number };

/** The largest rolling limit kept as one stamp per request (every limit the protocols publish is far below it). */
export const EXACT_SLIDING_LIMIT = 1000;
/** Buckets of a rolling window above that limit. */
const SLIDING_BUCKETS = 100;

/** Per window, after the admission: [remaining, resetAt, retryAt] (epoch ms). */
export type WindowResult = [remaining: number, resetAt: number, retryAt: number];

export interface RawAdmission {
  admitted: boolean;
  results: WindowResult[];
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** The last day window computed per time zone: every request of a day falls in it (luxon was 2 % of a request). */
const zonedDays = new Map<string, { start: number; end: number }>();

/** Start and end (exclusive, epoch ms) of the calendar window that contains `now`. */
export function fixedWindowBounds(unit: 'minute' | 'hour' | 'day', now: number, timeZone = 'UTC'): { start: number; end: number } {
  if (unit !== 'day' || timeZone === 'UTC') {
    // UTC minutes, hours and days are plain arithmetic (no leap seconds in epoch time)
    const start = now - (((now % UNIT_MS[unit]) + UNIT_MS[unit]) % UNIT_MS[unit]);
    return { start, end: start + UNIT_MS[unit] };
  }
  const known = zonedDays.get(timeZone);
  if (known && known.start <= now && now < known.end) return known;
  const at = DateTime.fromMillis(now, { zone: timeZone });
  if (!at.isValid) throw new Error(`invalid time zone: ${timeZone}`);
  const start = at.startOf('day');
  const day = { start: start.toMillis(), end: start.plus({ days: 1 }).toMillis() };
  if (zonedDays.size >= 1_000) zonedDays.clear();
  zonedDays.set(timeZone, day);
  return day;
}

export function toWindowInput(spec: WindowSpec, now: number): WindowInput {
  switch (spec.kind) {
    case 'sliding':
      return spec.limit > EXACT_SLIDING_LIMIT
        ? { k: 's', l: spec.limit, w: spec.seconds * 1000, q: Math.ceil((spec.seconds * 1000) / SLIDING_BUCKETS) }
        : { k: 's', l: spec.limit, w: spec.seconds * 1000 };
    case 'fixed': {
      const { start, end } = fixedWindowBounds(spec.unit, now, spec.timeZone);
      return { k: 'f', l: spec.limit, s: start, e: end };
    }
    case 'bucket':
      return { k: 'b', r: spec.ratePerSecond / 1000, b: spec.burst };
  }
}

/** How long a counter must be kept to answer the next request right (epoch ms). */
export function expiresAt(windows: WindowInput[], now: number): number {
  let until = now;
  for (const w of windows) {
    if (w.k === 'f') until = Math.max(until, w.e);
    else if (w.k === 's') until = Math.max(until, now + w.w + (w.q ?? 0));
    else until = Math.max(until, now + Math.ceil(w.b / w.r));
  }
  return until;
}

/** One window's stored state (`b`: [bucket start, count] pairs, oldest first). */
export type WindowState = { s: number; n: number } | { t: number[] } | { b: [number, number][] } | { k: number; ts: number } | null;

/**
 * The reference admission, in TypeScript: the memory storage runs it, and the SQL function (limit_eval) and the
 * Redis script are line-for-line translations of it, held to the same contract tests.
 */
export function evaluate(
  state: WindowState[],
  windows: WindowInput[],
  now: number,
  cost = 1,
): { state: WindowState[]; admission: RawAdmission } {
  const fresh: WindowState[] = [];
  const room: boolean[] = [];
  windows.forEach((w, i) => {
    const s = state[i];
    if (w.k === 'f') {
      const cur = s && 's' in s && s.s === w.s ? s : { s: w.s, n: 0 };
      fresh.push(cur);
      room.push(cur.n + cost <= w.l);
    } else if (w.k === 's' && w.q) {
      // a bucket counts until its end leaves the window (a state of the other form, after a change of limit, restarts)
      const q = w.q;
      const b = (s && 'b' in s ? s.b : []).filter(([start]) => start + q > now - w.w).sort((x, y) => x[0] - y[0]);
      const n = b.reduce((sum, [, count]) => sum + count, 0);
      fresh.push({ b, n } as WindowState);
      room.push(n + cost <= w.l);
    } else if (w.k === 's') {
      const t = (s && 't' in s ? s.t : []).filter((x) => x > now - w.w).sort((a, b) => a - b);
      fresh.push({ t });
      room.push(t.length + cost <= w.l);
    } else {
      const tokens = s && 'k' in s ? Math.min(w.b, s.k + Math.max(0, now - s.ts) * w.r) : w.b;
      fresh.push({ k: tokens, ts: now });
      room.push(tokens >= cost);
    }
  });
  const admitted = room.every(Boolean);
  const results: WindowResult[] = [];
  const next: WindowState[] = windows.map((w, i) => {
    const s = fresh[i]!;
    if (w.k === 'f') {
      const n = (s as { n: number }).n + (admitted ? cost : 0);
      results.push([Math.max(0, w.l - n), w.e, room[i] ? now : w.e]);
      return { s: w.s, n };
    }
    if (w.k === 's' && w.q) {
      const { b: kept, n: before } = s as unknown as { b: [number, number][]; n: number };
      const b = kept.map(([start, count]) => [start, count] as [number, number]);
      let n = before;
      if (admitted) {
        const start = now - (now % w.q);
        const last = b[b.length - 1];
        if (last && last[0] === start) last[1] += cost;
        else b.push([start, cost]);
        n += cost;
      }
      const resetAt = b.length ? b[0][0] + w.q + w.w : now;
      // Refused: enough of the oldest buckets must leave for `cost` more to fit.
      let retryAt = now;
      if (!room[i]) {
        let freed = 0;
        for (const [start, count] of b) {
          freed += count;
          retryAt = start + w.q + w.w;
          if (before - freed + cost <= w.l) break;
        }
      }
      results.push([Math.max(0, w.l - n), resetAt, retryAt]);
      return { b };
    }
    if (w.k === 's') {
      const t = [...(s as { t: number[] }).t];
      const before = t.length;
      if (admitted) for (let c = 0; c < cost; c++) t.push(now);
      const resetAt = t.length ? t[0] + w.w : now;
      // Refused: enough of the oldest must leave for `cost` more to fit.
      const retryAt = room[i] ? now : t[before - w.l + cost - 1] + w.w;
      results.push([Math.max(0, w.l - t.length), resetAt, retryAt]);
      return { t };
    }
    const k = (s as { k: number }).k - (admitted ? cost : 0);
    results.push([Math.max(0, Math.floor(k)), now + Math.ceil((w.b - k) / w.r), room[i] ? now : now + Math.ceil((cost - k) / w.r)]);
    return { k, ts: now };
  });
  return { state: next, admission: { admitted, results } };
}
