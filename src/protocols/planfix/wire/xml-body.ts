import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { XML_LIMITS, type XmlBody } from './xml-request.js';

/** Past this many bytes the reader stops draining and the connection closes after the answer. */
const DRAIN_MAX = 16 * 1024 * 1024;

/**
 * The body of `/xml`, whatever the method (the JavaScript clients send GET with a body) and whatever the
 * Content-Type: raw bytes up to the cap. A larger body is read to its end and dropped (the answer is 0003 and the
 * connection stays usable); the guard parses what is kept. Nothing here answers: errors are the guard's to render.
 */
export function readXmlBody(req: Request, res: Response): Promise<XmlBody> {
  // Every answer is a fresh 200 with its body: never a 304 for a GET that happens to carry validators.
  delete req.headers['if-none-match'];
  delete req.headers['if-modified-since'];
  if (req.readableEnded) return Promise.resolve({ bytes: Buffer.alloc(0), tooLarge: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (body: XmlBody) => {
      if (finished) return;
      finished = true;
      resolve(body);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > XML_LIMITS.maxBytes) {
        chunks.length = 0;
        if (size > DRAIN_MAX) {
          res.setHeader('Connection', 'close');
          finish({ bytes: Buffer.alloc(0), tooLarge: true });
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      finish({ bytes: size > XML_LIMITS.maxBytes ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge: size > XML_LIMITS.maxBytes }),
    );
    req.on('error', () => {
      if (finished) return;
      finished = true;
      reject(DomainError.malformed('the request could not be read'));
    });
  });
}
