import { randomBytes } from 'node:crypto';
import { type StoreService, type Tx } from '#store';

/** A public id: 24 hex characters in ObjectId layout (any case on input, lower case in answers). */
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

/**
 * The account's row of `select` whose `alias` has that public id, locked when asked; undefined for a malformed id
 * and for another account's (which is "not found" like a missing one).
 */
export async function rowByPublicId<R>(
  store: StoreService,
  select: string,
  alias: string,
  accountId: string,
  publicId: string,
  tx?: Tx,
  lock = false,
): Promise<R | undefined> {
  if (!isObjectId(publicId)) return undefined;
  const [row] = await store.query<R>(
    `${select} WHERE ${alias}.account_id = $1 AND ${alias}.public_id = $2${lock ? ` FOR UPDATE OF ${alias}` : ''}`,
    [accountId, publicId.toLowerCase()],
    tx,
  );
  return row;
}
