import { nextOccurrence, parseSchedule } from './schedule.js';

describe('schedules', () => {
  it('defaults to manual and to UTC', () => {
    expect(parseSchedule(undefined)).toEqual({ schedule: { type: 'manual' }, issues: [] });
    expect(parseSchedule({ type: 'cron', expression: '15 */4 * * *' }).schedule).toEqual({
      type: 'cron',
      expression: '15 */4 * * *',
      timezone: 'UTC',
    });
  });

  it.each([
    [{ type: 'cron', expression: '61 * * * *' }, 'invalid_cron'],
    [{ type: 'cron', expression: '0 * * *' }, 'invalid_cron'],
    [{ type: 'cron', expression: '*/5 * * * * *' }, 'invalid_cron'],
    [{ type: 'cron', expression: '@daily' }, 'invalid_cron'],
    [{ type: 'cron', expression: '0 0 31 2 *' }, 'invalid_cron'],
    [{ type: 'cron', expression: 'a b c d e' }, 'invalid_cron'],
    [{ type: 'cron', expression: 42 }, 'invalid_cron'],
    [{ type: 'cron', expression: '0 * * * *', timezone: 'Mars/Olympus' }, 'invalid_timezone'],
    [{ type: 'hourly' }, 'invalid_schedule'],
    ['daily', 'invalid_schedule'],
  ])('refuses %j with %s', (raw, type) => {
    const { schedule, issues } = parseSchedule(raw);
    expect(schedule).toBeUndefined();
    expect(issues.map((i) => i.type)).toContain(type);
  });

  it('evaluates in the zone: 09:00 Berlin is 08:00 UTC in winter and 07:00 in summer', () => {
    const s = { type: 'cron' as const, expression: '0 9 * * *', timezone: 'Europe/Berlin' };
    expect(nextOccurrence(s, new Date('2025-01-10T12:00:00Z'))!.toISOString()).toBe('2025-01-11T08:00:00.000Z');
    expect(nextOccurrence(s, new Date('2025-07-10T12:00:00Z'))!.toISOString()).toBe('2025-07-11T07:00:00.000Z');
  });

  it('gives the next occurrence strictly after the instant, and none for manual', () => {
    const s = { type: 'cron' as const, expression: '15 */4 * * *', timezone: 'UTC' };
    expect(nextOccurrence(s, new Date('2025-11-22T10:15:00.000Z'))!.toISOString()).toBe('2025-11-22T12:15:00.000Z');
    expect(nextOccurrence({ type: 'manual' }, new Date())).toBeNull();
  });
});
