import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { type Request, type Response } from 'express';

const gzipAsync = promisify(gzip);
/** Smaller answers are sent as they are (Plangate choice, docs/forward-planner.md). */
const GZIP_FROM_BYTES = 1024;

/** A 200 JSON answer (a bare array for lists), gzipped when the client accepts it and it is over 1 KiB. */
export function sendJson(req: Request, res: Response, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  return sendJsonText(req, res, JSON.stringify(body), headers);
}

/** The same for a body already rendered as JSON text. */
export async function sendJsonText(req: Request, res: Response, text: string, headers: Record<string, string> = {}): Promise<void> {
  const json = Buffer.from(text, 'utf8');
  res.status(200).set(headers).type('application/json; charset=utf-8').vary('Accept-Encoding');
  if (json.length > GZIP_FROM_BYTES && req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    res.set('Content-Encoding', 'gzip').send(await gzipAsync(json));
    return;
  }
  res.send(json);
}
