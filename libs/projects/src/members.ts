import { type StoreService, type Tx } from '#store';
import { notAllowed } from './issues.js';

/** The people of a record by role; only the roles given are replaced (a given list replaces, an absent one stays). */
export type PeopleByRole<R extends string> = Partial<Record<R, string[]>>;

/** Replaces the given roles' user lists of one project or task, in the caller's transaction. */
export async function replaceMembers<R extends string>(
  store: StoreService,
  target: { table: 'project_members'; column: 'project_id' } | { table: 'task_members'; column: 'task_id' },
  id: number,
  people: PeopleByRole<R>,
  tx: Tx,
): Promise<void> {
  for (const [role, ids] of Object.entries(people) as [R, string[]][]) {
    await store.query(`DELETE FROM ${target.table} WHERE ${target.column} = $1 AND role = $2`, [id, role], tx);
    if (ids.length)
      await store.query(
        `INSERT INTO ${target.table} (${target.column}, role, user_id) SELECT $1, $2, unnest($3::uuid[])`,
        [id, role, ids],
        tx,
      );
  }
}

/** A new parent of an existing record (`id`; undefined while it is being made) may not be the record or below it. */
export async function refuseParentLoop(
  store: StoreService,
  table: 'projects' | 'tasks',
  id: number | undefined,
  candidate: number,
  tx: Tx,
): Promise<void> {
  if (id === undefined) return;
  const [row] = await store.query<{ hit: boolean }>(
    `WITH RECURSIVE up(id, parent_id) AS (
       SELECT id, parent_id FROM ${table} WHERE id = $2
       UNION SELECT r.id, r.parent_id FROM ${table} r JOIN up ON r.id = up.parent_id)
     SELECT EXISTS (SELECT 1 FROM up WHERE id = $1) AS hit`,
    [id, candidate],
    tx,
  );
  if (row.hit) throw notAllowed('parent', 'would make a loop');
}
