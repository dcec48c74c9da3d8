import { CronExpressionParser } from 'cron-parser';
import { type FieldIssue } from '#errors';
import { issue } from './aliases.js';

export type Schedule = { type: 'manual' } | { type: 'cron'; expression: string; timezone: string };

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * `{"type":"manual"}` or `{"type":"cron","expression":"15 *\/4 * * *","timezone":"Europe/Berlin"}` (docs/reverse-etl.md
 * docs/reverse-etl.md). The expression is counted first (exactly 5 fields: cron-parser also takes 3, 4 or 6), then parsed and
 * evaluated by cron-parser in the zone, so that an expression that never fires is refused too.
 */
export function parseSchedule(raw: unknown, field = 'schedule'): { schedule?: Schedule; issues: FieldIssue[] } {
  if (raw === undefined || raw === null) return { schedule: { type: 'manual' }, issues: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { issues: [issue(field, 'invalid_schedule', 'must be an object with a type')] };
  const o = raw as Record<string, unknown>;
  if (o.type === 'manual') return { schedule: { type: 'manual' }, issues: [] };
  if (o.type !== 'cron') return { issues: [issue(`${field}.type`, 'invalid_schedule', "must be 'manual' or 'cron'")] };
  const issues: FieldIssue[] = [];
  const timezone = o.timezone ?? o.time_zone ?? o.timeZone ?? 'UTC';
  if (typeof timezone !== 'string' || timezone.length > 64 || !isTimeZone(timezone)) {
    issues.push(issue(`${field}.timezone`, 'invalid_timezone', 'must be an IANA time zone such as Europe/Berlin'));
  }
  const expression = o.expression ?? o.cron;
  if (typeof expression !== 'string' || expression.length > 200 || expression.trim().split(/\s+/).length !== 5) {
    issues.push(
      issue(
        `${field}.expression`,
        'invalid_cron',
        'must be a cron expression of exactly 5 fields: minute hour day-of-month month day-of-week',
      ),
    );
  } else if (!issues.length) {
    try {
      nextOccurrence({ type: 'cron', expression, timezone: timezone as string }, new Date());
    } catch {
      issues.push(issue(`${field}.expression`, 'invalid_cron', 'is not a valid cron expression'));
    }
  }
  if (issues.length) return { issues };
  return {
    schedule: { type: 'cron', expression: (expression as string).trim().split(/\s+/).join(' '), timezone: timezone as string },
    issues: [],
  };
}

/** The first occurrence strictly after `after`, in the schedule's zone; null for a manual schedule. */
export function nextOccurrence(schedule: Schedule, after: Date): Date | null {
  if (schedule.type !== 'cron') return null;
  const expression = CronExpressionParser.parse(schedule.expression, { currentDate: after, tz: schedule.timezone });
  return expression.next().toDate();
}
