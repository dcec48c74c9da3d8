/**
 * Change stamps of what a public find answers, so that a protocol can tag the answer (an `ETag`) and answer a
 * revalidation without loading and rendering it. Each stamp changes whenever the answer does:
 * - a project: a hash of its row (title, settings, pause, publication, commercial spaces, collections), of its
 *   floors' rows and of its units' rows, in id order, and how many holds have run out by `$2` (a hold past its
 *   expiry answers `Available` without a write);
 * - a group: its row and, in order, the rows of the member projects the viewer sees;
 * - an enterprise: its row, its member projects as a group's, and its visible groups with theirs.
 * Whole rows rather than their `updated_at`: the embedded store's clock counts milliseconds, so two writes of one
 * unit within a millisecond would leave the same stamp. Hashing the rows' text in the database costs a small part of
 * loading and rendering them, and no JSON leaves the database.
 */
export const PROJECT_STAMP_SQL = `SELECT md5(concat_ws('|',
         (SELECT md5(p::text) FROM projects p WHERE p.id = $1),
         (SELECT count(*)::text || ':' || coalesce(md5(string_agg(md5(f::text), ',' ORDER BY f.id)), '')
            FROM floors f WHERE f.project_id = $1),
         (SELECT count(*)::text || ':' || coalesce(md5(string_agg(md5(u::text), ',' ORDER BY u.id)), '')
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
