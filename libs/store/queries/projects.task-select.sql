SELECT t.id, t.general, t.title, t.description, t.importance, t.status, t.check_result,
       u.number AS owner_number, u.username AS owner_name, t.parent_id,
       t.project_id, pr.title AS project_title,
       coalesce(cp.id, cc.contact_id) AS client_id, coalesce(cc.name, btrim(cp.name || ' ' || cp.last_name)) AS client_name,
       t.begin_at, to_char(t.start_date, 'YYYY-MM-DD') AS start_date, to_char(t.start_time, 'HH24:MI') AS start_time,
       to_char(t.end_date, 'YYYY-MM-DD') AS end_date, to_char(t.end_time, 'HH24:MI') AS end_time,
       t.duration, t.duration_unit, t.is_summary, t.starred, t.created_at
  FROM tasks t
  JOIN users u ON u.id = t.owner_user_id
  LEFT JOIN projects pr ON pr.id = t.project_id
  LEFT JOIN contacts cp ON cp.id = t.client_contact_id
  LEFT JOIN companies cc ON cc.id = t.client_company_id
