import { DateTime } from 'luxon';
import { type LocalMoment } from '#projects';

/** `YYYY-MM-DD` → `dd-mm-yyyy` (planfix.md §4 "types"). */
export function planfixDate(iso: string | null): string {
  if (!iso) return '';
  const [y, m, d] = iso.split('-');
  return `${d}-${m}-${y}`;
}

/** An instant as `dd-mm-yyyy hh:mm` in the account's time zone. */
export function planfixDateTime(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('dd-MM-yyyy HH:mm');
}

/** An instant's day as `dd-mm-yyyy` in the account's time zone. */
export function planfixDay(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('dd-MM-yyyy');
}

/** A local date and maybe a time: `dd-mm-yyyy[ hh:mm]`. */
export function planfixMoment(m: LocalMoment | null): string {
  if (!m) return '';
  return m.time ? `${planfixDate(m.date)} ${m.time}` : planfixDate(m.date);
}
