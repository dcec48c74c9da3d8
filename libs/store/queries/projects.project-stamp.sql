SELECT md5(concat_ws('|',
         (SELECT md5(p::text) FROM projects p WHERE p.id = $1),
         (SELECT count(*)::text || ':' || coalesce(md5(string_agg(md5(f::text), ',' ORDER BY f.id)), '')
            FROM floors f WHERE f.project_id = $1),
         (SELECT count(*)::text || ':' || coalesce(md5(string_agg(md5(u::text), ',' ORDER BY u.id)), '')
                 || ':' || (count(*) FILTER (WHERE u.on_hold_expires_at <= $2))::text
            FROM units u WHERE u.project_id = $1))) AS stamp