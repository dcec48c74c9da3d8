import { request as httpRequest, type Agent } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP exchange with full control of method, headers and body bytes (supertest would add a Content-Type). */
export function exchange(
  url: string,
  // a header given as a list is sent once per value (duplicated headers)
  options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string; agent?: Agent },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
    const headers: Record<string, string | string[]> = { ...options.headers };
    if (body) headers['Content-Length'] = String(body.length);
    const req = httpRequest(url, { method: options.method ?? 'POST', headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
