/**
 * A unit's availability as stored (the long-standing words; a protocol may read and write others). `Reserved` and
 * `On Hold` are holds, which may expire.
 */
export const STORED_STATUSES = ['Available', 'On Hold', 'Reserved', 'Sold', 'Leased', 'Unavailable'] as const;
export type StoredStatus = (typeof STORED_STATUSES)[number];

/** The status in force: a hold (`On Hold`, `Reserved`) past its expiry is `Available`. */
export function effectiveStatus(stored: StoredStatus, onHoldExpiresAt: Date | null, now = Date.now()): StoredStatus {
  if ((stored === 'On Hold' || stored === 'Reserved') && onHoldExpiresAt && onHoldExpiresAt.getTime() <= now) return 'Available';
  return stored;
}
