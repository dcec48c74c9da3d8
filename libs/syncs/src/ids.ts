import { randomBytes } from 'node:crypto';

/** Crockford's base32, lower case: ULIDs as the spec shows them (`retl_sync_01kangyq3g8wt5p36yw1yp7zy1`). */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export const ID_PREFIX = { destination: 'conn_', sync: 'retl_sync_', run: 'retl_run_', dlq: 'dlq_' } as const;
export type IdKind = keyof typeof ID_PREFIX;

/** A 26-character ULID: 48 bits of milliseconds, then 80 random bits. */
export function ulid(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(10);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let rand = '';
  for (let i = 0; i < 16; i++) {
    rand = ALPHABET[Number(bits & 31n)] + rand;
    bits >>= 5n;
  }
  return time + rand;
}

export function newId(kind: IdKind): string {
  return ID_PREFIX[kind] + ulid();
}

const PATTERN = /^[0-9a-hjkmnp-tv-z]{26}$/;

/** Whether a path or body value can be an id of that kind at all (anything else is simply "not found"). */
export function isId(kind: IdKind, value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ID_PREFIX[kind]) && PATTERN.test(value.slice(ID_PREFIX[kind].length));
}
