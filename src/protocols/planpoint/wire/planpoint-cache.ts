import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { type Principal } from '#identity';

/**
 * Bumped when the serializers change what a find answers for the same rows, so that a tag handed out before a
 * deploy no longer matches the new rendering.
 */
const FIND_FORMAT = 'find-1';

/**
 * An anonymous find is public data a website embed and a CDN may keep for a short while: 10 s bounds how long a sold
 * unit or a paused project can still show, and `must-revalidate` forbids showing it longer when the gateway cannot
 * be asked (a stale availability is worse than an error to a buyer). Revalidating is cheap: a matching tag answers
 * 304 after one stamp query, without loading the floors and units.
 * A find with a credential shows the owner what is not published: kept out of shared caches (`private`) and
 * revalidated on every use (`no-cache`).
 */
export const PUBLIC_FIND_CACHE_CONTROL = 'public, max-age=10, must-revalidate';
export const PRIVATE_FIND_CACHE_CONTROL = 'private, no-cache';

/**
 * The strong entity tag of a find's answer: a hash of everything the answer depends on: the find (kind, namespace,
 * host name or id, filters), how the viewer sees it (anonymous, or the account, user and role the answer's flags
 * and previews depend on) and the change stamp of the rows (`#projects`' `site-stamps.ts`). Same inputs, same
 * bytes: the serializers are deterministic for the same rows.
 */
export function findTag(find: Record<string, string | undefined>, viewer: Principal | undefined, stamp: string): string {
  // A find compares trimmed, lower-cased names and ids in any case: one tag for every spelling of the same find.
  const key = Object.entries(find).map(([k, v]) => [k, v?.trim().toLowerCase()]);
  const seenAs = viewer ? [viewer.accountId, viewer.userId, viewer.role] : ['anonymous'];
  const digest = createHash('sha256')
    .update(JSON.stringify([FIND_FORMAT, key, seenAs, stamp]))
    .digest('base64url');
  return `"${digest.slice(0, 32)}"`;
}

/** The opaque tags of an `If-None-Match` value (RFC 9110 §8.8.3: `W/` marks a weak tag), or `*`. */
export function parseIfNoneMatch(value: string): '*' | string[] {
  if (value.trim() === '*') return '*';
  const tags: string[] = [];
  // An opaque tag is DQUOTE *etagc DQUOTE, where etagc may be a comma: read tag by tag, not split on commas. The
  // value is at most the header size Node accepts, and each match consumes at least two characters.
  for (const m of value.matchAll(/(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")/g)) tags.push(m[1]);
  return tags;
}

/**
 * Whether `If-None-Match` fails for a current answer tagged `tag`: `*` (there is a current answer) or any listed tag
 * equal to it by the weak comparison (RFC 9110 §13.1.2: the opaque tags compared, `W/` ignored).
 */
export function notModified(req: Request, tag: string): boolean {
  const header = req.headers['if-none-match'];
  if (header === undefined) return false;
  const tags = parseIfNoneMatch(header);
  return tags === '*' || tags.includes(tag);
}

/**
 * Answers a find: the caching headers in every case; 304 without a body (and without `render`) when the client's
 * `If-None-Match` matches, else 201 with the rendered answer. The finds are POSTs (the clients' contract), for
 * which RFC 9110 would answer a failed `If-None-Match` 412: a find changes nothing, so it answers as a GET would,
 * 304, which is what an embed or a CDN revalidating a kept answer needs.
 */
export async function sendFind(
  req: Request,
  res: Response,
  viewer: Principal | undefined,
  tag: string,
  render: () => Promise<unknown>,
): Promise<void> {
  res.set({
    ETag: tag,
    'Cache-Control': viewer ? PRIVATE_FIND_CACHE_CONTROL : PUBLIC_FIND_CACHE_CONTROL,
    // A credential changes the answer (previews, flags): a cache keeps the anonymous and credentialed answers apart.
    Vary: 'Authorization',
    'Access-Control-Expose-Headers': 'ETag',
  });
  if (notModified(req, tag)) {
    res.status(304).end();
    return;
  }
  res.status(201).json(await render());
}
