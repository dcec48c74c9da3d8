SELECT md5(concat_ws('|',
         (SELECT md5(g::text) FROM groups g WHERE g.id = $1),
         coalesce((SELECT string_agg(m.position::text || ':' || md5(p::text), ',' ORDER BY m.position)
                     FROM group_projects m JOIN projects p ON p.id = m.project_id
                    WHERE m.group_id = $1 AND ($2 OR p.published)), ''))) AS stamp