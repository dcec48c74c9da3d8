import { type IncomingMessage } from 'node:http';
import { DomainError } from '#errors';
import { BodyReadError, readCappedBody, type RawBody } from '../../../common/raw-body.js';

/** Auth and renew bodies: at most 16 KiB (docs/forward-planner.md). */
export const AUTH_BODY_MAX_BYTES = 16 * 1024;

/** The bytes of an auth or renew body as received, read before routing. */
export type { RawBody };

export const RAW_BODY_KEY = 'fpRawBody';
export interface RequestWithRawBody {
  [RAW_BODY_KEY]?: RawBody;
}

/** Reads the whole body, keeping at most `max` bytes (the rest is drained, so the connection stays usable). */
export async function readRawBody(req: IncomingMessage, max = AUTH_BODY_MAX_BYTES): Promise<RawBody> {
  try {
    return await readCappedBody(req, max);
  } catch (e) {
    throw DomainError.malformed(e instanceof BodyReadError && e.aborted ? 'the request was aborted' : 'the request body could not be read');
  }
}

export type BodyFields = Record<string, unknown>;

/**
 * An auth or renew body as JSON or as an HTML form, checked in the spec's order: content type (415), size (413),
 * well-formed (400). No body at all reads as no fields.
 */
export function parseAuthBody(raw: RawBody | undefined, contentType: string | undefined): BodyFields {
  const bytes = raw?.bytes ?? Buffer.alloc(0);
  if (!contentType && !raw?.tooLarge && bytes.length === 0) return {};
  const [type, ...params] = (contentType ?? '').split(';').map((s) => s.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replace(/"/g, '');
  const json = type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
  const form = type === 'application/x-www-form-urlencoded';
  if ((!json && !form) || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json or application/x-www-form-urlencoded (UTF-8)');
  }
  if (raw?.tooLarge) throw new DomainError('PAYLOAD_TOO_LARGE', 'The request body is too large');
  const text = bytes.toString('utf8');
  if (form) {
    const fields: BodyFields = {};
    for (const [name, value] of new URLSearchParams(text)) if (!(name in fields)) fields[name] = value;
    return fields;
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw DomainError.malformed('The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw DomainError.malformed('The request body must be a JSON object');
  return parsed as BodyFields;
}

/** A non-empty string of at most 256 characters, else undefined. */
export function credentialField(fields: BodyFields, name: string): string | undefined {
  const v = fields[name];
  return typeof v === 'string' && v.length > 0 && v.length <= 256 ? v : undefined;
}

/** The username for the auth bucket, read as best it can be: lower-cased, empty when unreadable. */
export function bucketUsername(raw: RawBody | undefined, contentType: string | undefined): string {
  try {
    const v = parseAuthBody(raw, contentType).username;
    return typeof v === 'string' ? v.slice(0, 256).toLowerCase() : '';
  } catch {
    return '';
  }
}
