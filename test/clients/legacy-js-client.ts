import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { basic, exchange, type RawResponse } from './http-transport.js';

/**
 * A test client that behaves like the legacy JavaScript Planfix clients (podvarkov/planfix-client, boo1ean/planfix-api),
 * written for this project from their observable behaviour:
 * - an HTTP **GET with a body** (the `request` library's default method), **no Content-Type**;
 * - Basic auth with the API key as user name and `x` (or a token) as password;
 * - a js2xmlparser-style body: declaration, tab indentation, `account` first, the parameters in insertion order,
 *   arrays as repeated elements, then `sid` and `signature` last;
 * - the lossy signature: MD5 of method + the sorted parameters (account and sid included) + the private key, where
 *   arrays of plain values contribute nothing;
 * - answers read like xml2js `{explicitArray: false, explicitRoot: false}`: attributes under `$`, and a top-level
 *   `sid` in **any** answer taken as the new session.
 */

export type Params = Record<string, unknown>;

export interface LegacyAnswer {
  raw: RawResponse;
  /** The `<response>` element as an object: `$.status`, `code`, `message`, the method's elements. */
  body: Record<string, any>;
}

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');

function element(name: string, value: unknown, depth: number): string {
  const pad = '\t'.repeat(depth);
  if (Array.isArray(value)) return value.map((v) => element(name, v, depth)).join('');
  if (value !== null && typeof value === 'object') {
    const inner = Object.entries(value as Params)
      .map(([k, v]) => element(k, v, depth + 1))
      .join('');
    return `${pad}<${name}>\n${inner}${pad}</${name}>\n`;
  }
  return `${pad}<${name}>${escape(String(value ?? ''))}</${name}>\n`;
}

/** boo1ean's implodeElements: sorted keys; arrays map over their items, and a plain item contributes nothing. */
function implode(obj: unknown): string {
  if (obj === null || typeof obj !== 'object') return '';
  return Object.keys(obj)
    .sort()
    .map((k) => {
      const v = (obj as Params)[k];
      if (Array.isArray(v)) return v.map(implode).join('');
      if (v !== null && typeof v === 'object') return implode(v);
      return String(v);
    })
    .join('');
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '$',
  parseTagValue: false,
  trimValues: true,
});

export class LegacyJsClient {
  sid: string | null = null;

  constructor(private readonly options: { url: string; account: string; apiKey: string; privateKey?: string; token?: string }) {}

  /** The request body exactly as the client would send it. */
  body(method: string, params: Params = {}): string {
    const signed: Params = { account: this.options.account, ...params };
    if (this.sid) signed.sid = this.sid;
    const signature = createHash('md5')
      .update(method + implode(signed) + (this.options.privateKey ?? ''), 'utf8')
      .digest('hex');
    const children = Object.entries({ ...signed, signature })
      .map(([k, v]) => element(k, v, 1))
      .join('');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<request method="${method}">\n${children}</request>`;
  }

  async call(method: string, params: Params = {}): Promise<LegacyAnswer> {
    const raw = await exchange(this.options.url, {
      method: 'GET',
      headers: { Authorization: basic(this.options.apiKey, this.options.token ?? 'x') },
      body: this.body(method, params),
    });
    const parsed = parser.parse(raw.text) as { response?: Record<string, any> };
    const body = parsed.response ?? {};
    // Like the real clients: whatever answer carries a top-level sid starts a new session.
    if (typeof body.sid === 'string' && body.sid) this.sid = body.sid;
    return { raw, body };
  }

  login(login: string, password: string): Promise<LegacyAnswer> {
    return this.call('auth.login', { login, password });
  }
}
