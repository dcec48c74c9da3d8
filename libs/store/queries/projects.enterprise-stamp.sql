SELECT md5(concat_ws('|',
         (SELECT md5(e::text) FROM enterprises e WHERE e.id = $1),
         coalesce((SELECT string_agg(m.position::text || ':' || md5(p::text), ',' ORDER BY m.position)
                     FROM enterprise_projects m JOIN projects p ON p.id = m.project_id
                    WHERE m.enterprise_id = $1 AND ($2 OR p.published)), ''),
         coalesce((SELECT string_agg(eg.position::text || ':' || md5(g::text) || ':' || coalesce(
                            (SELECT string_agg(m.position::text || ':' || md5(p::text), ',' ORDER BY m.position)
                               FROM group_projects m JOIN projects p ON p.id = m.project_id
                              WHERE m.group_id = g.id AND ($2 OR p.published)), ''), ',' ORDER BY eg.position)
                     FROM enterprise_groups eg JOIN groups g ON g.id = eg.group_id
                    WHERE eg.enterprise_id = $1 AND ($2 OR g.published)), ''))) AS stamp