import { type StoredStatus } from '#projects';

/**
 * A unit's availability in Planpoint's two vocabularies (docs/planpoint.md): the legacy word is what the store keeps;
 * the SDK word is derived. `Reserved` reads `OnHold`; a hold whose expiry has passed reads `Available` in both.
 */
export const SDK_STATUSES = ['Available', 'OnHold', 'Sold', 'Leased', 'Unavailable'] as const;
export type SdkStatus = (typeof SDK_STATUSES)[number];

const SDK_OF: Record<StoredStatus, SdkStatus> = {
  Available: 'Available',
  'On Hold': 'OnHold',
  Reserved: 'OnHold',
  Sold: 'Sold',
  Leased: 'Leased',
  Unavailable: 'Unavailable',
};

const BY_KEY: Record<string, StoredStatus> = {
  available: 'Available',
  onhold: 'On Hold',
  reserved: 'Reserved',
  sold: 'Sold',
  leased: 'Leased',
  unavailable: 'Unavailable',
};

/** Either vocabulary, any case, spaces, `-` and `_` ignored; undefined when it is no status word. */
export function parseStatus(word: string): StoredStatus | undefined {
  return BY_KEY[word.toLowerCase().replace(/[\s_-]+/g, '')];
}

export function sdkStatus(stored: StoredStatus): SdkStatus {
  return SDK_OF[stored];
}

/** `bed` from the legacy `bedrooms` text: numeric text → that number, `Studio` → 0, else null. */
export function bedOf(bedrooms: string | null): number | null {
  if (bedrooms === null) return null;
  const t = bedrooms.trim();
  if (/^studio$/i.test(t)) return 0;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  return null;
}
