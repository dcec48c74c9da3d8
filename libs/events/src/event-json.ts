import { EVENT_FIELDS } from './event-import.js';

/** The first of the event's own fields after the server's, in wire order: the server's fields go just before it. */
export const AFTER_SERVER_FIELDS = `"${EVENT_FIELDS[EVENT_FIELDS.indexOf('deletionDate') + 1]}":`;

/**
 * Where the server's fields go in an event's stored JSON text (a UTF-16 offset), or -1 when the text has no
 * top-level key after them. Import stores it with the row (`server_fields_at`), so a read splices without scanning:
 * the scan was most of what rendering added to a page of 100 events (about 2 µs an event).
 */
export function serverFieldsAt(contentJson: string): number {
  return topLevelKeyAt(contentJson, AFTER_SERVER_FIELDS);
}

/**
 * The splice point of a stored event: the stored offset where it points at the key, else found again in the text
 * (a row written before offsets were stored has none). The check is a guard, not a proof: the one statement that
 * writes a body writes its offset with it.
 */
export function spliceAt(contentJson: string, stored: number | null): number {
  return stored !== null && contentJson.startsWith(AFTER_SERVER_FIELDS, stored) ? stored : serverFieldsAt(contentJson);
}

/**
 * Where `"key":` starts as a key of the top-level object of a JSON text, or -1. Strings are skipped whole (a quote
 * inside one is always escaped), so a nested object's key or a value never matches.
 */
export function topLevelKeyAt(json: string, key: string): number {
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      if (depth === 1 && json.startsWith(key, i)) return i;
      i = closingQuoteAt(json, i);
      if (i < 0) return -1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

/** The quote that closes the string opened at `open`: the next quote not escaped by an odd run of backslashes. */
function closingQuoteAt(json: string, open: number): number {
  let q = open;
  for (;;) {
    q = json.indexOf('"', q + 1);
    if (q < 0) return -1;
    let b = q - 1;
    while (json.charCodeAt(b) === 0x5c) b--;
    if ((q - 1 - b) % 2 === 0) return q;
  }
}
