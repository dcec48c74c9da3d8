import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { nestsWithin } from '../../common/json-body.js';
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

function readBody(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > PLANPOINT_BODY_LIMIT) {
      req.resume();
      reject(new DomainError('PAYLOAD_TOO_LARGE', 'Request body too large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > PLANPOINT_BODY_LIMIT) {
        failed = true;
        reject(new DomainError('PAYLOAD_TOO_LARGE', 'Request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => failed || resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (e) => failed || reject(DomainError.malformed(`the request could not be read: ${e.message}`)));
  });
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization',
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
