import { XMLValidator } from 'fast-xml-parser';
import { type RawResponse } from '../clients/http-transport.js';

/**
 * One checker per protocol: is this answer a refusal, and is it in the owning protocol's own error format (the
 * specs under shared/specs)? Each returns the problem in words, or undefined, so that a suite can collect every
 * problem of a corpus before failing.
 */
export type WireProtocol = 'admin' | 'plansync' | 'forward-planner' | 'planfix' | 'planpoint' | 'reverse-etl';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown) => typeof v === 'string' && v.length > 0;

function json(res: RawResponse): unknown {
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) return undefined;
  try {
    return JSON.parse(res.text);
  } catch {
    return undefined;
  }
}

const PLANFIX_ERROR =
  /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<response status="error"><code>\d{4}<\/code><message>[^<]+<\/message><\/response>$/;

/** The error body of each protocol, checked on the parsed JSON (Planfix: on the XML text). */
const FORMATS: Record<WireProtocol, (res: RawResponse, body: unknown) => string | undefined> = {
  // FastAPI: {"detail": "text"} or {"detail": [{loc, msg, type}, ...]} (docs/plansync.md)
  plansync: (_res, b) =>
    isObject(b) &&
    Object.keys(b).join() === 'detail' &&
    (isText(b.detail) ||
      (Array.isArray(b.detail) && b.detail.every((d) => isObject(d) && Array.isArray(d.loc) && isText(d.msg) && isText(d.type))))
      ? undefined
      : 'not {"detail": ...}',
  // {"error": "...", "message": "..."} (docs/forward-planner.md)
  'forward-planner': (_res, b) => (isObject(b) && isText(b.error) && typeof b.message === 'string' ? undefined : 'not {"error","message"}'),
  // {"message": "..."} (docs/planpoint.md; a paused project adds "paused")
  planpoint: (_res, b) =>
    isObject(b) && isText(b.message) && Object.keys(b).every((k) => k === 'message' || k === 'paused') ? undefined : 'not {"message"}',
  // {"error": {"code", "message", "request_id", "details"?}} (docs/reverse-etl.md)
  'reverse-etl': (res, b) =>
    isObject(b) &&
    Object.keys(b).join() === 'error' &&
    isObject(b.error) &&
    isText(b.error.code) &&
    isText(b.error.message) &&
    b.error.request_id === res.headers['x-request-id']
      ? undefined
      : 'not {"error":{"code","message","request_id"}}',
  // {"error": {"code", "message", "details"?}} (README, Admin API)
  admin: (_res, b) =>
    isObject(b) && Object.keys(b).join() === 'error' && isObject(b.error) && isText(b.error.code) && isText(b.error.message)
      ? undefined
      : 'not {"error":{"code","message"}}',
  // HTTP 200 and <response status="error"><code>dddd</code><message>…</message></response> (docs/planfix.md)
  planfix: (res) =>
    res.status === 200 && PLANFIX_ERROR.test(res.text) && XMLValidator.validate(res.text) === true
      ? undefined
      : 'not the 0xxx XML error envelope',
};

/** Whether the gateway refused the request (Planfix refuses with HTTP 200 and status="error"). */
export function isRefused(protocol: WireProtocol, res: RawResponse): boolean {
  if (protocol === 'planfix') return res.status !== 200 || !res.text.includes('<response status="ok">');
  return res.status >= 400;
}

/** What is wrong with an answer to a bad input: a 5xx, or a refusal not in the protocol's format. */
export function badInputProblem(protocol: WireProtocol, res: RawResponse): string | undefined {
  if (res.status >= 500) return `status ${res.status}`;
  if (!isRefused(protocol, res)) return undefined;
  if (protocol !== 'planfix' && (res.status < 400 || res.status >= 500)) return `refused with status ${res.status}`;
  const problem = FORMATS[protocol](res, json(res));
  return problem && `${res.status} ${problem}: ${res.text.slice(0, 200)}`;
}
