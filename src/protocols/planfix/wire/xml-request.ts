import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DomainError } from '#errors';
import { type RawBody } from '../../../common/raw-body.js';

/** Plangate's limits on a Planfix request body (docs/planfix.md). */
export const XML_LIMITS = {
  /** Bytes; a larger body is read to its end and discarded. */
  maxBytes: 262_144,
  /** Element nesting, `<request>` being level 1. */
  maxDepth: 32,
  maxElements: 10_000,
  maxReferences: 10_000,
  /** Attributes in all; Planfix requests carry one (`method`). 20,000 cost the parser about 330 ms. */
  maxAttributes: 1_000,
} as const;

/** What the body reader leaves on the request. */
export type XmlBody = RawBody;

/** One element: its name, its trimmed text (for a leaf), its child elements in order. */
export interface XmlNode {
  name: string;
  text: string;
  children: XmlNode[];
}

export interface XmlRequest {
  /** The `method` attribute, trimmed; undefined when absent or empty (0008, after authentication). */
  method: string | undefined;
  root: XmlNode;
}

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
/** XML 1.0 `Char`, minus what UTF-8 decoding already excludes (surrogates). */
// eslint-disable-next-line no-control-regex -- the control characters XML 1.0 does not allow are what this finds
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const DECLARED_ENCODING = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*(["'])([^"']*)\1/i;
const DECLARATIONS = /<!(?:DOCTYPE|ENTITY)/i;
const REFERENCE = /&(#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z_][A-Za-z0-9._-]*)?(;)?/g;
const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // No DOCTYPE ever reaches the parser; what is left are the predefined entities and character references.
  processEntities: {
    enabled: true,
    maxEntityCount: 0,
    maxTotalExpansions: XML_LIMITS.maxReferences,
    maxExpandedLength: XML_LIMITS.maxBytes,
  },
  htmlEntities: true,
  maxNestedTags: XML_LIMITS.maxDepth + 1,
  strictReservedNames: true,
});

function malformed(message: string): DomainError {
  return DomainError.malformed(message);
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/**
 * Checks what the parser would let through: only the five predefined entities and character references of XML
 * characters, at most maxReferences of them, and no more than maxElements elements and maxAttributes attributes.
 */
function checkMarkup(text: string): void {
  const outside = withoutSections(text);
  let references = 0;
  for (const m of outside.matchAll(REFERENCE)) {
    const [, name, semicolon] = m;
    if (!name || !semicolon) throw malformed('the request is not well-formed XML (a bare & or an unterminated reference)');
    if (++references > XML_LIMITS.maxReferences) throw malformed('the request has too many character references');
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      if (!isXmlChar(code)) throw malformed('the request refers to a character XML does not allow');
    } else if (!PREDEFINED.has(name)) {
      throw malformed('the request uses an undeclared entity');
    }
  }
  let elements = 0;
  let attributes = 0;
  for (let i = outside.indexOf('<'); i !== -1; i = outside.indexOf('<', i + 1)) {
    const next = outside.charCodeAt(i + 1);
    // an element's start tag: `<` then a name start (not `/`, `?`, `!`)
    if (next === 0x2f || next === 0x3f || next === 0x21) continue;
    if (++elements > XML_LIMITS.maxElements) throw malformed('the request has too many elements');
    // Every attribute has its `=` in the start tag, before its `>` and before the next `<` (XML allows no `<` in an
    // attribute value): the spans up to the next `<` do not overlap, so this stays one pass over the text.
    for (let j = i + 1; j < outside.length; j++) {
      const c = outside.charCodeAt(j);
      if (c === 0x3e /* > */ || c === 0x3c /* < */) break;
      if (c === 0x3d /* = */ && ++attributes > XML_LIMITS.maxAttributes) throw malformed('the request has too many attributes');
    }
  }
}

const SECTION_ENDS: [open: string, close: string][] = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
];

/**
 * The text without its comments and CDATA sections, in one pass. A lazy regex did this before, and from every
 * unclosed `<!--` it scanned to the end of the body: 256 KiB of `<!--` took 8.6 s of the event loop, before
 * authentication. An unclosed section is malformed anyway (the parser would refuse it).
 */
export function withoutSections(text: string): string {
  let out = '';
  let from = 0;
  // where each kind of section next opens; searched again only once `from` has passed it, so the pass is linear
  const next = SECTION_ENDS.map(([open]) => text.indexOf(open));
  for (;;) {
    let kind = -1;
    next.forEach((at, k) => {
      if (at !== -1 && at < from) next[k] = at = text.indexOf(SECTION_ENDS[k][0], from);
      if (at !== -1 && (kind === -1 || at < next[kind])) kind = k;
    });
    if (kind === -1) return out + text.slice(from);
    const [open, close] = SECTION_ENDS[kind];
    const start = next[kind];
    const end = text.indexOf(close, start + open.length);
    if (end === -1) throw malformed('the request is not well-formed XML (an unclosed comment or CDATA section)');
    out += text.slice(from, start);
    from = end + close.length;
  }
}

type Ordered = Record<string, unknown>;

/** XML forbids `<` in attribute values; the validator lets it through. */
function checkAttributes(item: Ordered): void {
  const attrs = item[':@'] as Record<string, unknown> | undefined;
  for (const value of Object.values(attrs ?? {})) {
    if (typeof value === 'string' && value.includes('<')) throw malformed('the request is not well-formed XML (< in an attribute value)');
  }
}

function toNode(name: string, content: Ordered[], depth: number): XmlNode {
  if (RESERVED.has(name)) throw malformed(`the element name '${name}' is not allowed`);
  if (depth > XML_LIMITS.maxDepth) throw malformed('the request is nested too deeply');
  const children: XmlNode[] = [];
  let text = '';
  for (const item of content) {
    if ('#text' in item) {
      text += String(item['#text']);
      continue;
    }
    const childName = Object.keys(item).find((k) => k !== ':@');
    if (childName === undefined) continue;
    checkAttributes(item);
    children.push(toNode(childName, item[childName] as Ordered[], depth + 1));
  }
  return { name, text: children.length ? '' : text.trim(), children };
}

/**
 * The body as a Planfix request, or MALFORMED (0003) for anything else: an empty or oversize body, bytes that are
 * not UTF-8, another declared encoding, a DOCTYPE or ENTITY declaration (refused before parsing: nothing is ever
 * expanded), XML that is not well-formed, too deep or too big, reserved element names, a root other than `<request>`.
 */
export function parseXmlRequest(body: XmlBody | undefined): XmlRequest {
  if (body?.tooLarge) throw new DomainError('PAYLOAD_TOO_LARGE', 'request body too large');
  if (!body || body.bytes.length === 0) throw malformed('empty request body');
  let text: string;
  try {
    text = utf8.decode(body.bytes); // drops a BOM
  } catch {
    throw malformed('the request body is not UTF-8');
  }
  if (!text.trim()) throw malformed('empty request body');
  const declared = DECLARED_ENCODING.exec(text)?.[2];
  if (declared !== undefined && declared.toLowerCase() !== 'utf-8') throw malformed('only UTF-8 is accepted');
  if (DECLARATIONS.test(text)) throw malformed('DOCTYPE and ENTITY declarations are refused');
  if (NOT_XML_CHAR.test(text)) throw malformed('the request contains characters XML does not allow');
  checkMarkup(text);
  if (XMLValidator.validate(text) !== true) throw malformed('the request is not well-formed XML');
  let parsed: Ordered[];
  try {
    parsed = parser.parse(text) as Ordered[];
  } catch {
    throw malformed('the request is not well-formed XML');
  }
  const roots = parsed.filter((n) => !('#text' in n));
  if (roots.length !== 1) throw malformed('the request must have one root element');
  const rootName = Object.keys(roots[0]).find((k) => k !== ':@');
  if (rootName !== 'request') throw malformed('the root element must be <request>');
  checkAttributes(roots[0]);
  const attrs = (roots[0][':@'] ?? {}) as Record<string, unknown>;
  const root = toNode('request', roots[0].request as Ordered[], 1);
  const method = typeof attrs.method === 'string' && attrs.method.trim() ? attrs.method.trim() : undefined;
  return { method, root };
}
