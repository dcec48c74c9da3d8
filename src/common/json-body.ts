import express, { type Request, type RequestHandler, type Response } from 'express';
import { DomainError } from '#errors';

/** JSON and form bodies of the Admin API and PlanSync; larger imports set their own limits. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/**
 * Levels of arrays and objects a JSON body may nest. JSON.parse takes any depth, but the code after it (class
 * transformers, validators, error renderers) recurses and overflows the stack on a few thousand levels: a 500.
 */
export const JSON_MAX_DEPTH = 64;

/** Whether a parsed body nests at most `max` levels (iterative: the check itself must not overflow). */
export function nestsWithin(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return false;
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return true;
}

/** Runs an Express body parser as a promise (its errors are body-parser's, which toDomainError understands). */
export function runParser(parser: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => parser(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
}

const json = express.json({ limit: JSON_BODY_LIMIT, strict: false });
const form = express.urlencoded({ extended: false, limit: JSON_BODY_LIMIT });

/**
 * The usual body: JSON (not strict: a body of `"x"` parses, and each protocol answers that it is not an object in its
 * own words) or an HTML form, at most 1 MiB and 64 levels; any other type is left unread for the route to refuse.
 */
export async function readJsonOrForm(req: Request, res: Response): Promise<void> {
  await runParser(json, req, res);
  await runParser(form, req, res);
  if (!nestsWithin(req.body, JSON_MAX_DEPTH)) throw DomainError.malformed(`the request body nests deeper than ${JSON_MAX_DEPTH} levels`);
}
