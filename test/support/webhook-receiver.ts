import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceivedBatch {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: {
    sync_id: string;
    run_id: string;
    batch: number;
    object: string;
    mode: string;
    key_fields: string[];
    rows: Record<string, unknown>[];
  };
}

export type Reply = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };

/**
 * A webhook destination for the tests: an HTTP server on 127.0.0.1, port 0, that records every batch it receives and
 * answers as the test says (200 by default).
 */
export class WebhookReceiver {
  readonly batches: ReceivedBatch[] = [];
  private server?: Server;
  reply: (batch: ReceivedBatch) => Reply | Promise<Reply> = () => ({ status: 200, body: { ok: true } });
  port = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: ReceivedBatch['body'];
        try {
          body = JSON.parse(raw) as ReceivedBatch['body'];
        } catch {
          body = { rows: [] } as unknown as ReceivedBatch['body'];
        }
        const batch: ReceivedBatch = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body };
        this.batches.push(batch);
        void Promise.resolve(this.reply(batch)).then(async (r) => {
          if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
          if (res.destroyed) return;
          res.writeHead(r.status, { 'Content-Type': 'application/json', ...(r.headers ?? {}) });
          res.end(r.body === undefined ? '' : JSON.stringify(r.body));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as { port: number }).port;
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every row received, in order of arrival. */
  get rows(): Record<string, unknown>[] {
    return this.batches.flatMap((b) => b.body.rows ?? []);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
