import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { nestsWithin } from '../../common/json-body.js';
import { BodyReadError, readCappedBody, type RawBody } from '../../common/raw-body.js';
import { type ProtocolTransport } from '../../pipeline/protocol.js';
import { allowedMethods, routeOf } from './planpoint-routes.js';

/** Body limits of docs/planpoint.md */
export const PLANPOINT_BODY_LIMIT = 1024 * 1024;
export const PLANPOINT_MAX_DEPTH = 32;

/** A JSON object body, whatever the Content-Type (legacy curl samples send none); empty = `{}`. */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw DomainError.malformed('Invalid JSON body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw DomainError.malformed('Invalid JSON body');
  if (!nestsWithin(value, PLANPOINT_MAX_DEPTH)) throw DomainError.malformed('Invalid JSON body');
  return value as Record<string, unknown>;
}

/** The body as text; over 1 MiB (declared, or once that much has come) refused at once. */
async function readBody(req: Request): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > PLANPOINT_BODY_LIMIT) {
    req.resume();
    throw new DomainError('PAYLOAD_TOO_LARGE', 'Request body too large');
  }
  let body: RawBody;
  try {
    body = await readCappedBody(req, PLANPOINT_BODY_LIMIT, { stopAfter: PLANPOINT_BODY_LIMIT });
  } catch (e) {
    const cause = e instanceof BodyReadError && e.cause instanceof Error ? e.cause.message : 'aborted';
    throw DomainError.malformed(`the request could not be read: ${cause}`);
  }
  if (body.tooLarge) throw new DomainError('PAYLOAD_TOO_LARGE', 'Request body too large');
  return body.bytes.toString('utf8');
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization, If-None-Match',
  'Access-Control-Max-Age': '600',
};

/**
 * The transport of docs/planpoint.md, before routing: unknown path → 404, known path and other method → 405 with
 * `Allow`, OPTIONS → 204, CORS on the public endpoints, and the JSON body read whatever its Content-Type (1 MiB,
 * 32 levels).
 */
export const PLANPOINT_TRANSPORT: ProtocolTransport = {
  async beforeRouting(req: Request, res: Response) {
    const path = req.path;
    const route = routeOf(path);
    if (!route) throw new DomainError('NOT_FOUND', 'Not found', { entity: 'route' });
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const allow = allowedMethods(path);
    const isPublic = (route.public ?? []).includes(method) || (req.method === 'OPTIONS' && !!route.public?.length);
    if (isPublic) res.set(req.method === 'OPTIONS' ? CORS : { 'Access-Control-Allow-Origin': '*' });
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', allow.join(', '));
      res.status(204).end();
      return 'answered';
    }
    if (!route.methods.includes(method)) throw new DomainError('METHOD_NOT_ALLOWED', 'Method not allowed', { allow });
    req.body = method === 'GET' || method === 'DELETE' ? {} : parseJsonObject(await readBody(req));
    if (method === 'GET' || method === 'DELETE') req.resume();
    return 'continue';
  },
};
