/**
 * The clocks of the event feed. Plangate keeps instants as epoch milliseconds; the wire shows them as naive
 * timestamps (no offset, no `Z`) in UTC and in Europe/London, the zone of the vendor's naive stamps.
 */

const HOUR_MS = 3_600_000;
const LONDON = 'Europe/London';

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** London's offset only changes on the hour (at 01:00 UTC): one Intl call per distinct hour, then a map lookup. */
const offsetByHour = new Map<number, number>();

/** Europe/London's UTC offset at that instant, in milliseconds (0 or 3,600,000 today). */
export function londonOffsetMs(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const p = Object.fromEntries(londonParts.formatToParts(new Date(hour * HOUR_MS)).map((x) => [x.type, x.value]));
    offset =
      Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - hour * HOUR_MS;
    if (offsetByHour.size >= 50_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * The stamps of the events a feed serves again and again (each page renders four per event): formatted once. Bounded;
 * cleared when full, as the London offsets are.
 */
const stamps = new Map<number, string>();

/** `yyyy-MM-ddTHH:mm:ss.fff` of the UTC reading of an instant. */
export function utcStamp(ms: number): string {
  let stamp = stamps.get(ms);
  if (stamp === undefined) {
    stamp = new Date(ms).toISOString().slice(0, 23);
    if (stamps.size >= 100_000) stamps.clear();
    stamps.set(ms, stamp);
  }
  return stamp;
}

/** `yyyy-MM-ddTHH:mm:ss.fff` of the Europe/London reading of an instant. */
export function londonStamp(ms: number): string {
  return utcStamp(ms + londonOffsetMs(ms));
}

/**
 * The instant of a Europe/London wall-clock time given as if it were UTC (`Date.UTC(...)` of its fields). A repeated
 * hour takes the earlier instant; a skipped one reads as GMT (offset 0).
 */
export function londonWallToInstant(wallAsUtc: number): number {
  // The candidates are the wall time at each offset in force around it; the earliest consistent one wins.
  const offsets = [...new Set([londonOffsetMs(wallAsUtc - 12 * HOUR_MS), londonOffsetMs(wallAsUtc + 12 * HOUR_MS)])].sort((a, b) => b - a);
  for (const offset of offsets) {
    const instant = wallAsUtc - offset;
    if (londonOffsetMs(instant) === offset) return instant;
  }
  return wallAsUtc;
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** A real calendar date with a year of 1900–2999, else undefined. */
export function calendarDate(year: number, month: number, day: number): CalendarDate | undefined {
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return undefined;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= last ? { year, month, day } : undefined;
}

/** `yyyy-MM-dd` */
export function isoDate(d: CalendarDate): string {
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}
