import request from 'supertest';
import { admin, type AccountWithKey } from './admin.factory.js';

type App = Parameters<typeof request>[0];

/** A PlanSync client with one key: every call carries `X-API-Key`. */
export function plansync(server: App, key: string) {
  const auth = { 'X-API-Key': key };
  return {
    get: (path: string) => request(server).get(path).set(auth),
    post: (path: string, body?: unknown) =>
      request(server)
        .post(path)
        .set(auth)
        .send(body as object),
    put: (path: string, body?: unknown) =>
      request(server)
        .put(path)
        .set(auth)
        .send(body as object),
    delete: (path: string) => request(server).delete(path).set(auth),
    /** A multipart upload built by hand: form libraries strip paths from filenames, and the tests need them raw. */
    upload: (
      filename: string,
      content: Buffer | string,
      fields: Record<string, string> = { company_name: 'Acme Corp', document_type: 'Plan Document' },
      asFilenameStar = false,
    ) => {
      const { body, contentType } = multipart([
        ...Object.entries(fields).map(([name, value]) => ({ name, value })),
        asFilenameStar ? { name: 'file', filenameStar: filename, value: content } : { name: 'file', filename, value: content },
      ]);
      return request(server).post('/api/v1/files/upload').set(auth).set('Content-Type', contentType).send(body);
    },
  };
}

export const CLIENT_LIST_CSV = [
  'Client Name,Plan Assets,Participants,Active,Renewal Date',
  'Acme Corp,1250000.50,120,true,2025-06-30',
  'Beta LLC,98000,15,false,2025-09-01',
  'Gamma Inc,5000000.25,430,TRUE,',
].join('\n');

export interface Part {
  name: string;
  value: Buffer | string;
  /** Sent as is in the part header (quotes and backslashes escaped), so tests control it fully. */
  filename?: string;
  /** Sent as RFC 5987 `filename*=UTF-8''…` (percent-encoded), how clients send names a header cannot hold. */
  filenameStar?: string;
}

/** A multipart/form-data body exactly as given. */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----plangate${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const isFile = p.filename !== undefined || p.filenameStar !== undefined;
    const filename =
      p.filenameStar !== undefined
        ? `; filename*=UTF-8''${encodeURIComponent(p.filenameStar)}`
        : p.filename === undefined
          ? ''
          : `; filename="${p.filename.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    const type = isFile ? '\r\nContent-Type: application/octet-stream' : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${filename}${type}\r\n\r\n`, 'utf8'));
    chunks.push(Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value, 'utf8'));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The body of a download as bytes, whatever its content type. */
export function bytesOf(req: request.Test): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    req
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .then((res) => resolve(res.body as Buffer), reject);
  });
}

/** Loads a CSV into a sheet-year table through the Admin API. */
export function importSheet(server: App, account: AccountWithKey | string, sheet: string, year: number, csv: string, query = '') {
  const slug = typeof account === 'string' ? account : account.slug;
  return admin(server)
    .post(`/admin/accounts/${slug}/spreadsheets/${encodeURIComponent(sheet)}/import?year=${year}${query}`)
    .set('Content-Type', 'text/csv')
    .send(csv);
}
