SELECT u.id AS user_id, u.number AS user_number, u.username, u.email, u.role, u.assigned_clients,
       floor(extract(epoch FROM u.tokens_valid_after))::bigint AS tokens_valid_after,
       a.id AS account_id, a.slug AS account_slug, a.plan AS account_plan, a.settings AS account_settings
  FROM users u
  JOIN accounts a ON a.id = u.account_id
 WHERE u.id = $1
   AND u.active
   AND a.status = 'active'
