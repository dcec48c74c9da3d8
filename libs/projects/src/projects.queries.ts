/**
 * The SQL a task page pays for, compared with its committed copies under libs/store/queries/ by a test: the page
 * query is TASK_SELECT_SQL with the list's filters, then TASK_MEMBERS_SQL once for the page's people.
 */
export { TASK_MEMBERS_SQL, TASK_SELECT_SQL } from './tasks.service.js';
/** What a public find pays for to tag its answer (and all a revalidation that matches pays for). */
export { ENTERPRISE_STAMP_SQL, GROUP_STAMP_SQL, PROJECT_STAMP_SQL } from './site-stamps.js';
