import request from 'supertest';

type App = Parameters<typeof request>[0];
type Json = Record<string, unknown>;

export interface IngesterConfig {
  username: string;
  /** An API key (the vendor calls it the password). */
  password: string;
  daysToIngest?: number;
  /** Sent as X-Forwarded-For (the test app trusts the proxy), so that the client has an IP of its own. */
  clientIp?: string;
}

/** What the production ingester keeps between runs (its provider `tokens`). */
export interface IngesterTokens {
  refreshToken?: string | null;
  /** Instants (epoch ms) and the last ingested day, as the production client keeps them. */
  startDate?: number;
  nextStart?: number;
  importFinished?: number;
  date?: string;
}

const LIMIT = 2000;

function yyyymmdd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16).replace(':', '');
}

/**
 * A test double of the production ingester (Superdesk Planning's Forward Planner feeding service), call for call:
 * form-encoded auth and renew; GETs with `Content-Type: application/json` and no body; a first run of one
 * `events/date?date=…&limit=2000` per day for 365 days; later runs of `events/latest` from the previous run − 3 h,
 * in UTC. On 401 it renews (or, without a refresh token, logs in) and retries; a renew answered 400 drops the refresh
 * token and logs in again; five tries per page. Plangate's tests add one thing the production client does not do:
 * `latest` is paged with `offset` until an empty page (the production client asks for offset 0 only).
 *
 * It keeps what it ingested by itemId, dropping tombstones, so a test can compare it with the store.
 */
export class ForwardPlannerIngester {
  readonly tokens: IngesterTokens = {};
  readonly events = new Map<number, Json>();
  /** Every request, for assertions: `METHOD path?query → status`. */
  readonly calls: string[] = [];
  token: string | null = null;
  language = 'en-CA';

  constructor(
    private readonly server: App,
    private readonly config: IngesterConfig,
  ) {}

  /** One run of the feeding service at `now` (epoch ms). */
  async update(now = Date.now()): Promise<void> {
    await this.authenticate();
    if (!this.token) throw new Error('could not authenticate');
    const lastUpdated = now - (now % 60_000); // "onclusive api does not use seconds"
    if (this.tokens.importFinished !== undefined) {
      this.tokens.nextStart ??= this.tokens.importFinished - 5 * 3_600_000;
      const start = this.tokens.nextStart - 3 * 3_600_000;
      this.tokens.nextStart = lastUpdated;
      for (let offset = 0; ; offset += LIMIT) {
        const items = await this.fetch('/api/v2/events/latest', { date: yyyymmdd(start), time: hhmm(start), limit: LIMIT, offset });
        if (items.length === 0) break;
        this.ingest(items);
      }
    } else {
      const days = this.config.daysToIngest ?? 365;
      this.tokens.startDate ??= lastUpdated;
      this.tokens.nextStart ??= lastUpdated;
      for (let i = 0; i < days; i++) {
        const date = yyyymmdd(this.tokens.startDate + i * 86_400_000);
        if (this.tokens.date && date <= this.tokens.date) continue;
        this.ingest(await this.fetch('/api/v2/events/date', { limit: LIMIT, date }));
        this.tokens.date = date;
      }
      this.tokens.importFinished ??= Date.now();
    }
  }

  private ingest(items: Json[]): void {
    for (const item of items) {
      for (const field of [
        'itemId',
        'createdDate',
        'lastEditDate',
        'lastEditDateUtc',
        'deleted',
        'summary',
        'description',
        'startDate',
        'endDate',
      ]) {
        if (!(field in item)) throw new Error(`the parser requires ${field}`);
      }
      if (!Array.isArray(item.pressContacts)) throw new Error('pressContacts must be an array');
      if (item.deleted) this.events.delete(item.itemId as number);
      else this.events.set(item.itemId as number, item);
    }
  }

  private async fetch(path: string, params: Record<string, string | number>): Promise<Json[]> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = await this.withIp(request(this.server).get(path))
        .query(params)
        .set({ 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` });
      this.calls.push(
        `GET ${path}?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))} → ${res.status}`,
      );
      if (res.status === 200) return res.body as Json[];
      if (res.status === 401) await this.authenticate();
    }
    throw new Error(`could not fetch ${path} ${JSON.stringify(params)}`);
  }

  async authenticate(): Promise<void> {
    this.token = null;
    if (this.tokens.refreshToken) {
      await this.renew();
      if (this.token) return;
    }
    await this.credentials();
  }

  private async credentials(): Promise<void> {
    const res = await this.withIp(request(this.server).post('/api/v2/auth'))
      .type('form')
      .send({ username: this.config.username, password: this.config.password });
    this.calls.push(`POST /api/v2/auth → ${res.status}`);
    if (res.status !== 200) throw new Error(`auth answered ${res.status}`);
    this.accept(res.body as Json);
  }

  private async renew(): Promise<void> {
    const res = await this.withIp(request(this.server).post('/api/v2/auth/renew'))
      .type('form')
      .send({ refreshToken: this.tokens.refreshToken! });
    this.calls.push(`POST /api/v2/auth/renew → ${res.status}`);
    if (res.status === 400) {
      this.tokens.refreshToken = null;
      return;
    }
    if (res.status === 200) this.accept(res.body as Json);
  }

  private accept(data: Json): void {
    if (data.refreshToken) this.tokens.refreshToken = data.refreshToken as string;
    this.language = data.productId === 10 ? 'fr-CA' : 'en-CA';
    this.token = (data.token as string) ?? null;
  }

  private withIp(test: request.Test): request.Test {
    return this.config.clientIp ? test.set('X-Forwarded-For', this.config.clientIp) : test;
  }
}
