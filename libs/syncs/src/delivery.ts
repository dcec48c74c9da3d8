/** What one delivery of rows did to each of them, and whether the run must stop (docs/reverse-etl.md). */
export interface DeliveryRow {
  seq: number;
  payload: Record<string, unknown>;
}

export interface DeliveryBatch {
  syncId: string;
  runId: string;
  /** The batch number the rows were first sent in (`3`): the Idempotency-Key is `<run id>-<label>`. */
  label: string;
  object: string;
  mode: 'upsert' | 'insert' | 'update' | 'delete';
  keyFields: string[];
  rows: DeliveryRow[];
}

export type RunErrorCode =
  | 'source_timeout'
  | 'source_error'
  | 'source_row_cap_exceeded'
  | 'source_byte_cap_exceeded'
  | 'sql_sources_unavailable'
  | 'destination_unavailable'
  | 'destination_auth_failed'
  | 'destination_error'
  | 'forbidden_address'
  | 'interrupted';

export interface RowFailure {
  seq: number;
  code: string;
  message: string;
}

export interface DeliveryResult {
  written: number[];
  failed: RowFailure[];
  /** Retries made (attempts after the first), counted into the dead letters' retry_count. */
  retries: number;
  /** Set when the run must fail; the rows of the batch not written are in `failed`. */
  runError?: { code: RunErrorCode; message: string };
  /** The destination answered at all (its status becomes `connected`), or the error to show on it. */
  destinationError?: string;
}

/** Thrown when the engine aborts a send (shutdown): the rows' fate is unknown. */
export class DeliveryAborted extends Error {
  constructor() {
    super('delivery aborted');
  }
}

/** Waits, or throws DeliveryAborted as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DeliveryAborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DeliveryAborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** 1, 2, 4 … s, ±20 %, at most 30 s; a Retry-After of at most 60 s is honoured as given. */
export function backoffMs(retry: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0 && retryAfterSeconds <= 60) return retryAfterSeconds * 1000;
  const base = Math.min(30_000, 1000 * 2 ** retry);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
