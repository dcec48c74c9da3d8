import { type WindowSpec } from './windows.js';

/**
 * A named set of windows that is admitted as one. `durable` policies (daily quotas) are always counted in the store,
 * whatever REDIS_URL says, so that they survive restarts of Redis and of the gateway.
 */
export interface LimitPolicy {
  name: string;
  windows: WindowSpec[];
  durable?: boolean;
}

/** One window after an admission. */
export interface WindowStatus {
  name: string;
  /** The window's capacity: its limit, or a bucket's burst. */
  limit: number;
  /** Its length in seconds (for a bucket: the time to refill from empty). */
  seconds: number;
  /** Admissible now, after this request, ≥ 0. */
  remaining: number;
  /** Epoch ms: a fixed window's end, when a sliding window's oldest request leaves, when a bucket is full. */
  resetAt: number;
  /** Epoch ms when one more request could be admitted by this window (now, if it has room). */
  retryAt: number;
}

export interface LimitDecision {
  policy: string;
  admitted: boolean;
  /** When the decision was taken (epoch ms). */
  now: number;
  windows: WindowStatus[];
  /** The window with the least remaining (tie: the shortest); the one the single-window headers describe. */
  tightest: WindowStatus;
  /** Whole seconds until every full window admits again (≥ 1); 0 when admitted. */
  retryAfterSeconds: number;
}

export function windowSeconds(spec: WindowSpec): number {
  switch (spec.kind) {
    case 'sliding':
      return spec.seconds;
    case 'fixed':
      return { minute: 60, hour: 3600, day: 86_400 }[spec.unit];
    case 'bucket':
      return Math.ceil(spec.burst / spec.ratePerSecond);
  }
}

export function windowLimit(spec: WindowSpec): number {
  return spec.kind === 'bucket' ? spec.burst : spec.limit;
}
