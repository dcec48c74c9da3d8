/**
 * An element of an answer, already written: a fragment of compact XML made only by the helpers below (so every text
 * is escaped and every element closed). Writing strings directly replaced fast-xml-parser's XMLBuilder, which was
 * most of the rendering time of a 100-task page.
 */
export type XmlOut = string & { readonly __xmlFragment: true };

export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const fragment = (xml: string) => xml as XmlOut;

/** `<name attrs>children</name>`, or `<name attrs/>` when there are none (as the builder's suppressEmptyNode did). */
function element(name: string, attributes: string, children: readonly XmlOut[]): XmlOut {
  return fragment(children.length === 0 ? `<${name}${attributes}/>` : `<${name}${attributes}>${children.join('')}</${name}>`);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const escape = (text: string) => text.replace(/[&<>]/g, (c) => ESCAPES[c]);

/** Characters XML 1.0 cannot carry (a record written by another protocol may hold them): dropped from answers. */
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex -- the control characters XML 1.0 does not allow are what this finds
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** The cheap question first: almost no text holds a control character or a surrogate at all. */
// eslint-disable-next-line no-control-regex -- the control characters XML 1.0 does not allow are what this finds
const MAYBE_NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const xmlText = (text: string) => escape(MAYBE_NOT_XML.test(text) ? text.replace(NOT_XML_CHAR, '') : text);

/** A leaf: numbers as decimals, booleans as 1/0, empty, null and undefined as `<name/>`. */
export function leaf(name: string, value: string | number | boolean | null | undefined): XmlOut {
  if (value === null || value === undefined || value === '') return fragment(`<${name}/>`);
  const text = typeof value === 'boolean' ? (value ? '1' : '0') : typeof value === 'number' ? String(value) : xmlText(value);
  return fragment(text === '' ? `<${name}/>` : `<${name}>${text}</${name}>`);
}

export function el(name: string, ...children: XmlOut[]): XmlOut {
  return element(name, '', children);
}

/** A list with `totalCount` first, then `count`; empty → self-closing (a Python client stops paging on that text). */
export function list(name: string, totalCount: number, items: XmlOut[]): XmlOut {
  return element(name, ` totalCount="${totalCount}" count="${items.length}"`, items);
}

/** The whole answer: the declaration, a line feed and the compact `<response>` (docs/planfix.md). */
export function okResponse(children: XmlOut[]): string {
  return XML_DECLARATION + element('response', ' status="ok"', children);
}

export function errorResponse(code: string, message: string): string {
  return XML_DECLARATION + element('response', ' status="error"', [leaf('code', code), leaf('message', message)]);
}
