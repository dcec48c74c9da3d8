import { XMLParser } from 'fast-xml-parser';
import { basic, exchange, type RawResponse } from './http-transport.js';

/**
 * A test client in the documented form (the vendor's curl examples, the Go client's transport): **POST** with
 * `Content-Type: application/xml; charset=utf-8`, **token mode** (Basic `key:token`, no session), a compact body
 * with no whitespace between elements, and no signature. Answers are parsed in order-preserving form for checks
 * of element order, and as plain objects for everything else.
 */

export type Params = Record<string, unknown>;

export interface DocumentedAnswer {
  raw: RawResponse;
  status: string;
  code?: string;
  body: Record<string, any>;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function compact(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => compact(name, v)).join('');
  if (value !== null && typeof value === 'object') {
    return `<${name}>${Object.entries(value as Params)
      .map(([k, v]) => compact(k, v))
      .join('')}</${name}>`;
  }
  return value === undefined || value === null || value === '' ? `<${name}/>` : `<${name}>${escape(String(value))}</${name}>`;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true });

export class DocumentedClient {
  constructor(private readonly options: { url: string; account: string; apiKey: string; token: string }) {}

  body(method: string, params: Params = {}): string {
    return `<?xml version="1.0" encoding="UTF-8"?><request method="${method}">${compact('account', this.options.account)}${Object.entries(
      params,
    )
      .map(([k, v]) => compact(k, v))
      .join('')}</request>`;
  }

  async call(method: string, params: Params = {}): Promise<DocumentedAnswer> {
    const raw = await exchange(this.options.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml; charset=utf-8', Authorization: basic(this.options.apiKey, this.options.token) },
      body: this.body(method, params),
    });
    const body = (parser.parse(raw.text) as { response?: Record<string, any> }).response ?? {};
    return { raw, status: body['@status'], code: body.code, body };
  }
}
