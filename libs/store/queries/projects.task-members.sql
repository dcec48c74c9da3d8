SELECT m.task_id, m.role, u.number, u.username
  FROM task_members m
  JOIN users u ON u.id = m.user_id
 WHERE m.task_id = ANY($1::bigint[])
 ORDER BY m.task_id, u.number
