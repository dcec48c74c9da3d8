import { ACTIVE_STATUS_IDS, findTaskStatus, TASK_STATUSES } from './task-statuses.js';

describe('the built-in task status set', () => {
  it('has the eight statuses of the spec with distinct colours', () => {
    expect(TASK_STATUSES.map((s) => `${s.id} ${s.system} ${s.name} ${+s.isActive} ${+s.hasDeadline}`)).toEqual([
      '1 ACTIVE New 1 1',
      '2 ACCEPTED In progress 1 1',
      '3 COMPLETED Completed 0 0',
      '4 DELAYED Delayed 1 0',
      '5 REJECTED Rejected 0 0',
      '6 DONE Done 1 0',
      '7 CANCELED Canceled 0 0',
      '8 DRAFT Draft 0 0',
    ]);
    expect(new Set(TASK_STATUSES.map((s) => s.color)).size).toBe(8);
    expect(TASK_STATUSES.every((s) => /^#[0-9a-f]{6}$/.test(s.color))).toBe(true);
    expect(ACTIVE_STATUS_IDS).toEqual([1, 2, 4, 6]);
  });

  it('finds a status by id or system name in any case', () => {
    expect(findTaskStatus('2')?.system).toBe('ACCEPTED');
    expect(findTaskStatus('accepted')?.id).toBe(2);
    expect(findTaskStatus('FROZEN')).toBeUndefined();
    expect(findTaskStatus('9')).toBeUndefined();
  });
});
