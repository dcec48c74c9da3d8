import { randomBytes } from 'node:crypto';
import { DomainError } from '#errors';
import { type RowKey } from './account-row.js';

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

/** The key of a record by public id (any case); none for what is no id. */
export function publicIdKey(publicId: string): RowKey {
  return isObjectId(publicId) ? ['public_id', publicId.toLowerCase()] : undefined;
}

const NOT_FOUND = { project: 'Project not found', floor: 'Floor not found', unit: 'Unit not found' } as const;

/** NOT_FOUND for a record addressed by public id: another account's is missing like any other. */
export function noSuch(kind: keyof typeof NOT_FOUND): DomainError {
  return DomainError.notFound(kind, NOT_FOUND[kind]);
}

/** The record found by public id, or NOT_FOUND naming its kind. */
export function found<T>(record: T | undefined, kind: keyof typeof NOT_FOUND): T {
  if (record === undefined) throw noSuch(kind);
  return record;
}
