import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify, Algorithm } from '@node-rs/argon2';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const API_KEY_PATTERN = /^psk_[0-9A-Za-z]{40}$/;
/** `psk_` and the first 8 random characters: enough to find the row, useless for guessing the rest. */
export const API_KEY_PREFIX_LENGTH = 12;

/** `psk_` + 40 random base62 characters (about 238 bits), drawn without modulo bias. */
export function generateApiKey(): string {
  let out = 'psk_';
  for (let i = 0; i < 40; i++) out += BASE62[randomInt(62)];
  return out;
}

export function apiKeyPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX_LENGTH);
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison of two digests (or two secrets of any length: they are hashed first). */
export function sameSecret(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sameString(a: string, b: string): boolean {
  return sameSecret(sha256(a), sha256(b));
}

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await argon2Verify(phc, password);
  } catch {
    return false;
  }
}

/** A hash of a password nobody knows, verified when the user does not exist so that timing tells nothing. */
let decoy: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoy ??= hashPassword('decoy-password-nobody-knows');
  return decoy;
}
