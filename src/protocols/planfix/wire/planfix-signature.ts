import { createHash, timingSafeEqual } from 'node:crypto';
import { type XmlNode } from './xml-request.js';

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Elements sorted by name (byte order), same-name siblings by what they contribute; a leaf gives its text. */
function contribution(nodes: XmlNode[]): string {
  return nodes
    .map((n) => ({ name: n.name, value: n.children.length ? contribution(n.children) : n.text }))
    .sort((a, b) => byteOrder(a.name, b.name) || byteOrder(a.value, b.value))
    .map((n) => n.value)
    .join('');
}

/** docs/planfix.md: lowercase hex MD5 of the method, the values of `<request>`'s children but `signature`, the key. */
export function expectedSignature(method: string, root: XmlNode, signingKey: string): string {
  const values = contribution(root.children.filter((c) => c.name !== 'signature'));
  return createHash('md5')
    .update(method + values + signingKey, 'utf8')
    .digest('hex');
}

export function signatureMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
