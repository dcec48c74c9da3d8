import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { type LookupFunction } from 'node:net';
import { AddressRefused, isForbiddenAddress } from './address-guard.js';
import { type WebhookPublic, type WebhookSecrets } from './destination-config.js';
import { backoffMs, DeliveryAborted, sleep, type DeliveryBatch, type DeliveryResult, type DeliveryRow, type RowFailure } from './delivery.js';

const RESPONSE_LIMIT = 1024 * 1024;
const RECEIVER_CODE = /^[a-z0-9_]{1,64}$/;

interface Answer {
  status: number;
  body: string;
  retryAfter?: number;
}

/** A DNS lookup that refuses forbidden addresses at connection time (every connection, redirects never followed). */
function guardedLookup(blockPrivate: boolean): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as LookupAddress[];
      if (!list.length || list.some((a) => isForbiddenAddress(a.address, blockPrivate))) return callback(new AddressRefused(hostname), '');
      if (options?.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  }) as unknown as LookupFunction;
}

/**
 * Sends batches to a webhook (reverse-etl.md §4.8): one request per batch, rows in source order, `Idempotency-Key`
 * kept on retries and suffixed for re-sent subsets, the configured headers and the optional HMAC signature.
 */
export class WebhookDestination {
  constructor(
    private readonly cfg: WebhookPublic,
    private readonly secrets: WebhookSecrets,
    private readonly blockPrivate: boolean,
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
    const brief = `HTTP ${status}: ${body.slice(0, 200)}`;
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
        result.failed.push({ seq: rows[0].seq, code: status === 413 ? 'payload_too_large' : 'destination_rejected', message: brief });
        return;
      }
      const half = Math.ceil(rows.length / 2);
      await this.send(batch, rows.slice(0, half), `${label}.1`, signal, result);
      await this.send(batch, rows.slice(half), `${label}.2`, signal, result);
      return;
    }
    const code = status === 401 || status === 403 ? 'destination_auth_failed' : 'destination_error';
    this.failAll(rows, code, brief, result);
    result.runError = { code, message: brief };
    result.destinationError = brief;
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
    if (this.secrets.signingSecret) headers['X-Plangate-Signature'] = `sha256=${createHmac('sha256', this.secrets.signingSecret).update(body).digest('hex')}`;
    let last = '';
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw new DeliveryAborted();
      let retryAfter: number | undefined;
      try {
        const answer = await this.request(body, headers, signal);
        if (answer.status !== 408 && answer.status !== 429 && answer.status < 500) return answer;
        last = `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
        retryAfter = answer.retryAfter;
      } catch (e) {
        if (e instanceof DeliveryAborted) throw e;
        if (e instanceof AddressRefused) return { error: e.message, code: 'forbidden_address' };
        last = e instanceof Error ? e.message.slice(0, 200) : 'network error';
      }
      if (attempt >= this.cfg.maxRetries) return { error: `unavailable after ${attempt + 1} attempt(s): ${last}`, code: 'destination_unavailable' };
      result.retries++;
      await sleep(backoffMs(attempt, retryAfter), signal);
    }
  }

  private request(body: string, headers: Record<string, string>, signal: AbortSignal): Promise<Answer> {
    const url = new URL(this.secrets.url);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Answer>((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method: this.cfg.method,
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          lookup: guardedLookup(this.blockPrivate),
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
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: Number.isFinite(ra) ? ra : undefined });
          });
          res.on('error', reject);
        },
      );
      // timeoutMs bounds the whole exchange (connect, send, answer), not just an idle socket
      const timer = setTimeout(() => req.destroy(new Error(`timed out after ${this.cfg.timeoutMs} ms`)), this.cfg.timeoutMs);
      req.on('error', (e) => reject(signal.aborted ? new DeliveryAborted() : e));
      req.on('close', () => clearTimeout(timer));
      req.end(body);
    });
  }
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
  if (Array.isArray(o.errors)) for (const e of o.errors) if (e && typeof e === 'object') add((e as { index?: unknown }).index, (e as { code?: unknown }).code, (e as { message?: unknown }).message);
  if (Array.isArray(o.results)) {
    o.results.forEach((r, i) => {
      if (r && typeof r === 'object' && (r as { status?: unknown }).status === 'error') add(i, (r as { code?: unknown }).code, (r as { message?: unknown }).message ?? (r as { error?: unknown }).error);
    });
  }
  return named;
}
