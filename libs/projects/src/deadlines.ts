import { DateTime } from 'luxon';

/**
 * When a deadline given as a local date (and maybe a time) in the account's time zone passes: at that time, or at
 * the end of that day when no time is set.
 */
export function deadlineAt(date: string, time: string | null, timeZone: string): number {
  const day = DateTime.fromISO(date, { zone: timeZone });
  if (!time) return day.plus({ days: 1 }).toMillis();
  const [h, m] = time.split(':').map(Number);
  return day.set({ hour: h, minute: m }).toMillis();
}

/** The same instant in SQL, for filters: `date` and `time` columns, `tz` a parameter. */
export function deadlineSql(date: string, time: string, tz: string): string {
  return `((${date} + coalesce(${time}, time '00:00') + CASE WHEN ${time} IS NULL THEN interval '1 day' ELSE interval '0' END) AT TIME ZONE ${tz})`;
}

/**
 * Overdue: the deadline passed while the record is in a status that can be overdue. Close to the deadline: not
 * overdue, and under 25 % of the time from start (or creation) to the deadline is left.
 */
export function deadlineFlags(
  startMs: number,
  endMs: number | null,
  nowMs: number,
  eligible: boolean,
): { overdue: boolean; close: boolean } {
  if (endMs === null || !eligible) return { overdue: false, close: false };
  if (endMs < nowMs) return { overdue: true, close: false };
  const span = endMs - startMs;
  return { overdue: false, close: span > 0 && endMs - nowMs < span * 0.25 };
}
