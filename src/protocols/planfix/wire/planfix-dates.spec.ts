import { DateTime } from 'luxon';
import { planfixDateTime } from './planfix-dates.js';

describe('planfixDateTime', () => {
  const luxon = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('dd-MM-yyyy HH:mm');

  it('writes the minute in the account zone, across a DST change, asked once or many times', () => {
    // Europe/Berlin leaves summer time at 01:00 UTC on 2026-10-25: 02:59 CEST is followed by 02:00 CET
    const start = Date.UTC(2026, 9, 24, 23, 0, 0);
    for (let pass = 0; pass < 2; pass++) {
      for (let t = start; t < start + 4 * 3_600_000; t += 7 * 60_000 + 13_000) {
        for (const zone of ['Europe/Berlin', 'Asia/Kolkata', 'UTC', 'America/St_Johns']) {
          expect(planfixDateTime(new Date(t), zone)).toBe(luxon(new Date(t), zone));
        }
      }
    }
    expect(planfixDateTime(new Date(Date.UTC(2026, 9, 25, 0, 30)), 'Europe/Berlin')).toBe('25-10-2026 02:30');
    expect(planfixDateTime(new Date(Date.UTC(2026, 9, 25, 1, 30)), 'Europe/Berlin')).toBe('25-10-2026 02:30');
  });

  it('keeps seconds out of the minute (59.999 s is still the same minute)', () => {
    expect(planfixDateTime(new Date(Date.UTC(2026, 0, 1, 10, 5, 59, 999)), 'UTC')).toBe('01-01-2026 10:05');
    expect(planfixDateTime(new Date(Date.UTC(1969, 11, 31, 23, 59, 30)), 'UTC')).toBe('31-12-1969 23:59');
  });
});
