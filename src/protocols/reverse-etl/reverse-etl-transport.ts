import express, { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { readJsonOrForm, runParser } from '../../common/json-body.js';
import { type ProtocolTransport } from '../../pipeline/protocol.js';
import { allowedMethods } from './reverse-etl-routes.js';

const JSON_TYPES = /^application\/(json|vnd\.api\+json)\s*(;|$)/i;
const parseJson = express.json({ limit: '1mb', strict: false, type: () => true });

/**
 * Before routing, for every reverse-ETL path (docs/reverse-etl.md): one trailing slash ignored; unknown paths 404 and
 * wrong methods 405 with `Allow`; `/api/runs*` and `/api/dlq*` reserved (404); bodies JSON whether typed
 * `application/json`, `application/vnd.api+json` or not at all (other types 415), at most 1 MiB (413), a JSON
 * object (else 400 `invalid_json`).
 */
export const REVERSE_ETL_TRANSPORT: ProtocolTransport = {
  async beforeRouting(req: Request, res: Response) {
    const q = req.url.indexOf('?');
    const path = q === -1 ? req.url : req.url.slice(0, q);
    const trimmed = path.replace(/(.)\/$/, '$1');
    if (trimmed !== path) req.url = trimmed + (q === -1 ? '' : req.url.slice(q));
    const methods = allowedMethods(trimmed);
    if (!methods.length) throw DomainError.notFound('route', `No endpoint ${trimmed}`);
    if (!methods.includes(req.method)) throw new DomainError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here`, { allow: methods });
    if (req.method === 'POST' || req.method === 'PUT') await readObjectBody(req, res);
    // the usual parsers leave a body read above alone, and check its depth
    await readJsonOrForm(req, res);
    return 'continue';
  },
};

async function readObjectBody(req: Request, res: Response): Promise<void> {
  const type = req.headers['content-type'];
  if (type && !JSON_TYPES.test(type)) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send application/json');
  await runParser(parseJson, req, res);
  const body: unknown = req.body;
  if (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0)) {
    req.body = {};
    return;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('MALFORMED', 'the body must be a JSON object', {
      fields: [{ field: 'body', issue: 'must be a JSON object', type: 'json_invalid' }],
    });
  }
}
