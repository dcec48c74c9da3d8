/**
 * The one built-in task status set: the same for every account, not stored. Ids are what tasks
 * store; system names are what clients may send instead of ids.
 */
export interface TaskStatus {
  id: number;
  system: string;
  name: string;
  isActive: boolean;
  hasDeadline: boolean;
  color: string;
}

export const STATUS_SET = { id: 1, name: 'Default process' } as const;

export const TASK_STATUSES: readonly TaskStatus[] = [
  { id: 1, system: 'ACTIVE', name: 'New', isActive: true, hasDeadline: true, color: '#3d85c6' },
  { id: 2, system: 'ACCEPTED', name: 'In progress', isActive: true, hasDeadline: true, color: '#f1c232' },
  { id: 3, system: 'COMPLETED', name: 'Completed', isActive: false, hasDeadline: false, color: '#6aa84f' },
  { id: 4, system: 'DELAYED', name: 'Delayed', isActive: true, hasDeadline: false, color: '#e69138' },
  { id: 5, system: 'REJECTED', name: 'Rejected', isActive: false, hasDeadline: false, color: '#cc0000' },
  { id: 6, system: 'DONE', name: 'Done', isActive: true, hasDeadline: false, color: '#38761d' },
  { id: 7, system: 'CANCELED', name: 'Canceled', isActive: false, hasDeadline: false, color: '#999999' },
  { id: 8, system: 'DRAFT', name: 'Draft', isActive: false, hasDeadline: false, color: '#cccccc' },
];

export const STATUS = { ACTIVE: 1, ACCEPTED: 2, COMPLETED: 3, DELAYED: 4, REJECTED: 5, DONE: 6, CANCELED: 7, DRAFT: 8 } as const;

/** Statuses in which a passed deadline makes a task overdue. */
export const OVERDUE_STATUSES: readonly number[] = [STATUS.ACTIVE, STATUS.ACCEPTED, STATUS.DELAYED];

export const ACTIVE_STATUS_IDS: readonly number[] = TASK_STATUSES.filter((s) => s.isActive).map((s) => s.id);

/** A status by id (`2`) or system name (`ACCEPTED`, any case); undefined when it is neither. */
export function findTaskStatus(value: string): TaskStatus | undefined {
  if (/^\d+$/.test(value)) return TASK_STATUSES.find((s) => s.id === Number(value));
  const upper = value.toUpperCase();
  return TASK_STATUSES.find((s) => s.system === upper);
}
