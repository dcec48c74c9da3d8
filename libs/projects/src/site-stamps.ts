/**
 * Change stamps of what a public find answers, so that a protocol can tag the answer (an `ETag`) and answer a
 * revalidation without loading and rendering it. Each stamp changes whenever the answer does:
 * - a project: its whole row (title, settings, pause, publication, commercial spaces, collections), the ids and
 *   `updated_at` of its floors and of its units (every write of a floor or a unit sets `updated_at`; a deletion
 *   drops an id), and how many holds have run out by `now` (a hold past its expiry answers `Available`);
 * - a group: its row and, in order, the rows of the member projects the viewer sees;
 * - an enterprise: its row, its member projects as a group's, and its visible groups with theirs.
 * Whole rows are hashed where they are few (one project, a collection's members) and ids with `updated_at` where
 * there may be thousands (floors, units): no JSON leaves the database.
 */
export const PROJECT_STAMP_SQL = `SELECT md5(concat_ws('|',
         (SELECT md5(p::text) FROM projects p WHERE p.id = $1),
         (SELECT count(*)::text || ':' || coalesce(md5(string_agg(f.id::text || '@' || f.updated_at::text, ',' ORDER BY f.id)), '')
            FROM floors f WHERE f.project_id = $1),
         (SELECT count(*)::text || ':' || coalesce(md5(string_agg(u.id::text || '@' || u.updated_at::text, ',' ORDER BY u.id)), '')
                 || ':' || (count(*) FILTER (WHERE u.on_hold_expires_at <= $2))::text
            FROM units u WHERE u.project_id = $1))) AS stamp`;

/** $1 the group, $2 whether the viewer is of the group's account (it then sees unpublished members too). */
export const GROUP_STAMP_SQL = `SELECT md5(concat_ws('|',
         (SELECT md5(g::text) FROM groups g WHERE g.id = $1),
         coalesce((SELECT string_agg(m.position::text || ':' || md5(p::text), ',' ORDER BY m.position)
                     FROM group_projects m JOIN projects p ON p.id = m.project_id
                    WHERE m.group_id = $1 AND ($2 OR p.published)), ''))) AS stamp`;

/** $1 the enterprise, $2 as for a group. */
export const ENTERPRISE_STAMP_SQL = `SELECT md5(concat_ws('|',
         (SELECT md5(e::text) FROM enterprises e WHERE e.id = $1),
         coalesce((SELECT string_agg(m.position::text || ':' || md5(p::text), ',' ORDER BY m.position)
                     FROM enterprise_projects m JOIN projects p ON p.id = m.project_id
                    WHERE m.enterprise_id = $1 AND ($2 OR p.published)), ''),
         coalesce((SELECT string_agg(eg.position::text || ':' || md5(g::text) || ':' || coalesce(
                            (SELECT string_agg(m.position::text || ':' || md5(p::text), ',' ORDER BY m.position)
                               FROM group_projects m JOIN projects p ON p.id = m.project_id
                              WHERE m.group_id = g.id AND ($2 OR p.published)), ''), ',' ORDER BY eg.position)
                     FROM enterprise_groups eg JOIN groups g ON g.id = eg.group_id
                    WHERE eg.enterprise_id = $1 AND ($2 OR g.published)), ''))) AS stamp`;
