import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { readCappedBody } from '../../../common/raw-body.js';
import { XML_LIMITS, type XmlBody } from './xml-request.js';

/** Past this many bytes the reader stops draining and the connection closes after the answer. */
const DRAIN_MAX = 16 * 1024 * 1024;

/**
 * The body of `/xml`, whatever the method (the JavaScript clients send GET with a body) and whatever the
 * Content-Type: raw bytes up to the cap. A larger body is read to its end and dropped (the answer is 0003 and the
 * connection stays usable); the guard parses what is kept. Nothing here answers: errors are the guard's to render.
 */
export async function readXmlBody(req: Request, res: Response): Promise<XmlBody> {
  // Every answer is a fresh 200 with its body: never a 304 for a GET that happens to carry validators.
  delete req.headers['if-none-match'];
  delete req.headers['if-modified-since'];
  try {
    const body = await readCappedBody(req, XML_LIMITS.maxBytes, { stopAfter: DRAIN_MAX });
    if (body.tooLarge && !req.readableEnded) res.setHeader('Connection', 'close');
    return body;
  } catch {
    throw DomainError.malformed('the request could not be read');
  }
}
