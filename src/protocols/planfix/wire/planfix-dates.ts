import { DateTime } from 'luxon';
import { type LocalMoment } from '#projects';

/** `YYYY-MM-DD` → `dd-mm-yyyy` (docs/planfix.md "types"). */
export function planfixDate(iso: string | null): string {
  if (!iso) return '';
  const [y, m, d] = iso.split('-');
  return `${d}-${m}-${y}`;
}

/** Minutes already written, per time zone: a page of 100 tasks paid a luxon conversion per row, polled again and again. */
const writtenMinutes = new Map<string, Map<number, string>>();
const MINUTES_KEPT = 20_000;
const ZONES_KEPT = 32;

/** An instant as `dd-mm-yyyy hh:mm` in the account's time zone. */
export function planfixDateTime(at: Date, timeZone: string): string {
  const minute = Math.floor(at.getTime() / 60_000);
  let zone = writtenMinutes.get(timeZone);
  if (!zone) {
    if (writtenMinutes.size >= ZONES_KEPT) writtenMinutes.clear();
    writtenMinutes.set(timeZone, (zone = new Map()));
  }
  let text = zone.get(minute);
  if (text === undefined) {
    text = DateTime.fromMillis(minute * 60_000, { zone: timeZone }).toFormat('dd-MM-yyyy HH:mm');
    if (zone.size >= MINUTES_KEPT) zone.clear();
    zone.set(minute, text);
  }
  return text;
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
