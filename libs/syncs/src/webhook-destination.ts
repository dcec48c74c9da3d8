import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { type LookupFunction } from 'node:net';
import { AddressRefused, resolveChecked, type AddressPolicy } from './address-guard.js';
import { type WebhookPublic, type WebhookSecrets } from './destination-config.js';
import {
  backoffMs,
  DeliveryAborted,
  sleep,
  type DeliveryBatch,
  type DeliveryResult,
  type DeliveryRow,
  type RowFailure,
} from './delivery.js';

const RESPONSE_LIMIT = 1024 * 1024;
const RECEIVER_CODE = /^[a-z0-9_]{1,64}$/;

interface Answer {
  status: number;
  body: string;
  retryAfter?: number;
}

/**
 * A lookup that answers only the addresses already checked for this request, so that the connection goes to one of
 * them (a second DNS answer cannot differ). Node skips the lookup for a literal address, which was checked the same way.
 */
function pinnedLookup(addresses: { address: string; family: number }[]): LookupFunction {
  return ((
    _hostname: string,
    options: { all?: boolean },
    callback: (err: Error | null, address: string | { address: string; family: number }[], family?: number) => void,
  ) => {
    if (options?.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  }) as unknown as LookupFunction;
}

/**
 * Sends batches to a webhook (docs/reverse-etl.md): one request per batch, rows in source order, `Idempotency-Key`
 * kept on retries and suffixed for re-sent subsets, the configured headers and the optional HMAC signature.
 */
export class WebhookDestination {
  constructor(
    private readonly cfg: WebhookPublic,
    private readonly secrets: WebhookSecrets,
    private readonly addresses: AddressPolicy,
  ) {}

  async deliver(batch: DeliveryBatch, signal: AbortSignal): Promise<DeliveryResult> {
    const result: DeliveryResult = { written: [], failed: [], retries: 0 };
    await this.send(batch, batch.rows, batch.label, signal, result);
    return result;
  }

  /** One (sub)batch; recursive where the receiver's answer asks for a re-send. Stops at the first run error. */
  private async send(batch: DeliveryBatch, rows: DeliveryRow[], label: string, signal: AbortSignal, result: DeliveryResult): Promise<void> {
    if (!rows.length || result.runError) return;
    const answer = await this.post(batch, rows, label, signal, result);
    if ('error' in answer) {
      this.failAll(rows, answer.code, answer.error, result);
      result.runError = { code: answer.code, message: answer.error };
      result.destinationError = answer.error;
      return;
    }
    const { status, body } = answer;
    if (status >= 200 && status < 300) {
      const named = namedRows(body, rows.length);
      rows.forEach((r, i) => {
        const n = named.get(i);
        if (n) result.failed.push({ seq: r.seq, ...n });
        else result.written.push(r.seq);
      });
      return;
    }
    if ([400, 409, 413, 422].includes(status)) {
      const named = namedRows(body, rows.length);
      if (named.size) {
        const rest: DeliveryRow[] = [];
        rows.forEach((r, i) => {
          const n = named.get(i);
          if (n) result.failed.push({ seq: r.seq, ...n });
          else rest.push(r);
        });
        await this.send(batch, rest, `${label}.1`, signal, result);
        return;
      }
      if (rows.length === 1) {
        // the receiver's answer about a row (docs/reverse-etl.md): its excerpt helps the tenant fix the row
        result.failed.push({
          seq: rows[0].seq,
          code: status === 413 ? 'payload_too_large' : 'destination_rejected',
          message: `HTTP ${status}: ${body.slice(0, 200)}`,
        });
        return;
      }
      const half = Math.ceil(rows.length / 2);
      await this.send(batch, rows.slice(0, half), `${label}.1`, signal, result);
      await this.send(batch, rows.slice(half), `${label}.2`, signal, result);
      return;
    }
    const code = status === 401 || status === 403 ? 'destination_auth_failed' : 'destination_error';
    const message = statusOnly(status);
    this.failAll(rows, code, message, result);
    result.runError = { code, message };
    result.destinationError = message;
  }

  private failAll(rows: DeliveryRow[], code: string, message: string, result: DeliveryResult): void {
    for (const r of rows) result.failed.push({ seq: r.seq, code, message });
  }

  /** Sends with retries on 408, 429, 5xx, network errors and timeouts; then `destination_unavailable`. */
  private async post(
    batch: DeliveryBatch,
    rows: DeliveryRow[],
    label: string,
    signal: AbortSignal,
    result: DeliveryResult,
  ): Promise<Answer | { error: string; code: 'destination_unavailable' | 'forbidden_address' }> {
    const body = JSON.stringify({
      sync_id: batch.syncId,
      run_id: batch.runId,
      batch: Number(label.split('.')[0]),
      object: batch.object,
      mode: batch.mode,
      key_fields: batch.keyFields,
      rows: rows.map((r) => r.payload),
    });
    const headers: Record<string, string> = {
      ...this.secrets.headers,
      'Content-Type': 'application/json',
      'User-Agent': 'Plangate-ReverseETL/1',
      'Idempotency-Key': `${batch.runId}-${label}`,
      'X-Plangate-Sync-Id': batch.syncId,
      'X-Plangate-Run-Id': batch.runId,
    };
    if (this.secrets.signingSecret)
      headers['X-Plangate-Signature'] = `sha256=${createHmac('sha256', this.secrets.signingSecret).update(body).digest('hex')}`;
    let last: string;
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw new DeliveryAborted();
      let retryAfter: number | undefined;
      try {
        const answer = await this.request(body, headers, signal);
        if (answer.status !== 408 && answer.status !== 429 && answer.status < 500) return answer;
        last = statusOnly(answer.status);
        retryAfter = answer.retryAfter;
      } catch (e) {
        if (e instanceof DeliveryAborted) throw e;
        if (e instanceof AddressRefused) return { error: e.message, code: 'forbidden_address' };
        last = networkError(e, this.cfg.timeoutMs);
      }
      if (attempt >= this.cfg.maxRetries)
        return { error: `unavailable after ${attempt + 1} attempt(s): ${last}`, code: 'destination_unavailable' };
      result.retries++;
      await sleep(backoffMs(attempt, retryAfter), signal);
    }
  }

  /** One exchange, to an address of the URL's host checked just before it (every request, retries included). */
  private async request(body: string, headers: Record<string, string>, signal: AbortSignal): Promise<Answer> {
    const url = new URL(this.secrets.url);
    const transport = url.protocol === 'https:' ? https : http;
    const addresses = await resolveChecked(url.hostname, this.addresses);
    return new Promise<Answer>((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method: this.cfg.method,
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          lookup: pinnedLookup(addresses),
          signal,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= RESPONSE_LIMIT) chunks.push(c);
          });
          res.on('end', () => {
            const ra = Number(res.headers['retry-after']);
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              retryAfter: Number.isFinite(ra) ? ra : undefined,
            });
          });
          res.on('error', reject);
        },
      );
      // timeoutMs bounds the whole exchange (connect, send, answer), not just an idle socket
      const timer = setTimeout(() => req.destroy(new Error(timedOut(this.cfg.timeoutMs))), this.cfg.timeoutMs);
      req.on('error', (e) => reject(signal.aborted ? new DeliveryAborted() : e));
      req.on('close', () => clearTimeout(timer));
      req.end(body);
    });
  }
}

/**
 * What a tenant reads of an answer that is not about its rows: the status only. A tenant chooses the URL, so a body
 * (a 5xx page, a redirect, an error document) may be an internal service's answer that the tenant must not read.
 */
function statusOnly(status: number): string {
  return `HTTP ${status} from the destination`;
}

/** A network failure by its kind (`ECONNREFUSED`, a timeout), never the parser's or the peer's text. */
function networkError(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && e.message === timedOut(timeoutMs)) return e.message;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? `network error (${code})` : 'network error';
}

function timedOut(timeoutMs: number): string {
  return `timed out after ${timeoutMs} ms`;
}

/** Rows a receiver named as failed: `{"errors":[{"index","code","message"}]}` or `results[i].status: "error"`. */
export function namedRows(body: string, count: number): Map<number, Omit<RowFailure, 'seq'>> {
  const named = new Map<number, Omit<RowFailure, 'seq'>>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return named;
  }
  if (typeof parsed !== 'object' || parsed === null) return named;
  const o = parsed as { errors?: unknown; results?: unknown };
  const add = (index: unknown, code: unknown, message: unknown) => {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) return;
    named.set(index, {
      code: typeof code === 'string' && RECEIVER_CODE.test(code) ? code : 'destination_rejected',
      message: typeof message === 'string' ? message.slice(0, 1000) : 'rejected by the destination',
    });
  };
  if (Array.isArray(o.errors))
    for (const e of o.errors)
      if (e && typeof e === 'object')
        add((e as { index?: unknown }).index, (e as { code?: unknown }).code, (e as { message?: unknown }).message);
  if (Array.isArray(o.results)) {
    o.results.forEach((r, i) => {
      if (r && typeof r === 'object' && (r as { status?: unknown }).status === 'error')
        add(i, (r as { code?: unknown }).code, (r as { message?: unknown }).message ?? (r as { error?: unknown }).error);
    });
  }
  return named;
}
