/**
 * The SQL a task page pays for, compared with its committed copies under libs/store/queries/ by a test: the page
 * query is TASK_SELECT_SQL with the list's filters, then TASK_MEMBERS_SQL once for the page's people.
 */
export { TASK_MEMBERS_SQL, TASK_SELECT_SQL } from './tasks.service.js';
