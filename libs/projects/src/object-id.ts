import { randomBytes } from 'node:crypto';

/** Planpoint's `_id`: 24 hex characters (any case on input, lower case in answers). */
export const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

export function isObjectId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}

let counter = randomBytes(3).readUIntBE(0, 3);
const processRandom = randomBytes(5).toString('hex');

/** A new id in ObjectId layout (4-byte Unix seconds, 5 random bytes, 3-byte counter), for elements of JSON lists. */
export function newObjectId(now = Date.now()): string {
  counter = (counter + 1) % 0x1000000;
  return (
    Math.floor(now / 1000)
      .toString(16)
      .padStart(8, '0') +
    processRandom +
    counter.toString(16).padStart(6, '0')
  );
}
