import { DateTime } from 'luxon';
import { calendarDate, londonOffsetMs, londonStamp, londonWallToInstant, utcStamp } from './event-time.js';

describe('event time', () => {
  it('reads instants in UTC and in Europe/London, to the millisecond', () => {
    const winter = Date.UTC(2025, 0, 15, 12, 30, 45, 7);
    const summer = Date.UTC(2025, 6, 15, 12, 30, 45, 120);
    expect(utcStamp(winter)).toBe('2025-01-15T12:30:45.007');
    expect(londonStamp(winter)).toBe('2025-01-15T12:30:45.007');
    expect(londonStamp(summer)).toBe('2025-07-15T13:30:45.120');
  });

  it('agrees with the time zone database on every hour around the changes of 2000-2040', () => {
    for (let year = 2000; year <= 2040; year++) {
      for (const month of [2, 9]) {
        const start = Date.UTC(year, month, 20);
        for (let h = 0; h < 24 * 14; h++) {
          const ms = start + h * 3_600_000 + 1234;
          expect(londonOffsetMs(ms)).toBe(DateTime.fromMillis(ms, { zone: 'Europe/London' }).offset * 60_000);
        }
      }
    }
  });

  it('turns London wall time into an instant: a repeated hour takes the earlier, a skipped one reads as GMT', () => {
    expect(londonWallToInstant(Date.UTC(2025, 0, 15, 9, 0))).toBe(Date.UTC(2025, 0, 15, 9, 0));
    expect(londonWallToInstant(Date.UTC(2025, 6, 15, 9, 0))).toBe(Date.UTC(2025, 6, 15, 8, 0));
    // 2025-10-26 01:30 happens twice (BST, then GMT): the earlier is 00:30 UTC
    expect(londonWallToInstant(Date.UTC(2025, 9, 26, 1, 30))).toBe(Date.UTC(2025, 9, 26, 0, 30));
    // 2025-03-30 01:30 does not happen: read as GMT
    expect(londonWallToInstant(Date.UTC(2025, 2, 30, 1, 30))).toBe(Date.UTC(2025, 2, 30, 1, 30));
    expect(londonWallToInstant(Date.UTC(2025, 2, 30, 2, 0))).toBe(Date.UTC(2025, 2, 30, 1, 0));
  });

  it.each([
    [2024, 2, 29, true],
    [2025, 2, 29, false],
    [2025, 2, 30, false],
    [2025, 13, 1, false],
    [2025, 4, 31, false],
    [1899, 12, 31, false],
    [3000, 1, 1, false],
    [2999, 12, 31, true],
  ])('%i-%i-%i is a calendar date: %s', (y, m, d, ok) => {
    expect(calendarDate(y, m, d) !== undefined).toBe(ok);
  });
});
