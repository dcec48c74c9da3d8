/**
 * PlanSync's times: UTC, naive ISO-8601, exactly six fractional digits, no offset (`2025-12-16T20:41:41.714889`).
 * Dates from the store carry milliseconds; the last three digits are zeros.
 */
export function naiveTimestamp(date: Date): string {
  return date.toISOString().slice(0, 23) + '000';
}

/** Now, with the microseconds the clock gives. */
export function naiveNow(): string {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000) % 1000;
  return new Date().toISOString().slice(0, 23) + String(micros).padStart(3, '0');
}
