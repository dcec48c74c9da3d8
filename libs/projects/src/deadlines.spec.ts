import { deadlineAt, deadlineFlags } from './deadlines.js';

describe('deadlines', () => {
  it('fall at the given time in the account time zone, or at the end of the day', () => {
    expect(new Date(deadlineAt('2025-11-22', '14:05', 'Europe/Berlin')).toISOString()).toBe('2025-11-22T13:05:00.000Z');
    expect(new Date(deadlineAt('2025-11-22', null, 'UTC')).toISOString()).toBe('2025-11-23T00:00:00.000Z');
  });

  it('make a record overdue once passed, close under 25 % of the time left, neither when not eligible', () => {
    expect(deadlineFlags(0, 100, 101, true)).toEqual({ overdue: true, close: false });
    expect(deadlineFlags(0, 100, 80, true)).toEqual({ overdue: false, close: true });
    expect(deadlineFlags(0, 100, 70, true)).toEqual({ overdue: false, close: false });
    expect(deadlineFlags(0, 100, 101, false)).toEqual({ overdue: false, close: false });
    expect(deadlineFlags(0, null, 101, true)).toEqual({ overdue: false, close: false });
  });
});
