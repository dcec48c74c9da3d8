import { XMLBuilder } from 'fast-xml-parser';

/**
 * An element of an answer, in fast-xml-parser's ordered form: `{ name: [children], ':@': attributes }`, text as
 * `{ '#text': value }`. Built with the helpers below, written by one XMLBuilder.
 */
export type XmlOut = Record<string, unknown>;

export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  suppressEmptyNode: true,
  format: false,
  // Text is escaped once in `leaf` (twice as fast as the builder's per-entity replacement); attributes are numbers.
  processEntities: false,
});

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const escape = (text: string) => text.replace(/[&<>]/g, (c) => ESCAPES[c]);

/** Characters XML 1.0 cannot carry (a record written by another protocol may hold them): dropped from answers. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A leaf: numbers as decimals, booleans as 1/0, empty, null and undefined as `<name/>`. */
export function leaf(name: string, value: string | number | boolean | null | undefined): XmlOut {
  if (value === null || value === undefined || value === '') return { [name]: [] };
  const text = typeof value === 'boolean' ? (value ? '1' : '0') : typeof value === 'number' ? String(value) : escape(value.replace(NOT_XML_CHAR, ''));
  return { [name]: text === '' ? [] : [{ '#text': text }] };
}

export function el(name: string, ...children: XmlOut[]): XmlOut {
  return { [name]: children };
}

/** A list with `totalCount` first, then `count`; empty → self-closing (a Python client stops paging on that text). */
export function list(name: string, totalCount: number, items: XmlOut[]): XmlOut {
  return { [name]: items, ':@': { totalCount: String(totalCount), count: String(items.length) } };
}

/** The whole answer: the declaration, a line feed and the compact `<response>` (planfix.md §2). */
export function okResponse(children: XmlOut[]): string {
  return XML_DECLARATION + builder.build([{ response: children, ':@': { status: 'ok' } }]);
}

export function errorResponse(code: string, message: string): string {
  return XML_DECLARATION + builder.build([{ response: [leaf('code', code), leaf('message', message)], ':@': { status: 'error' } }]);
}
