SELECT u.id AS user_id, u.number AS user_number, u.username, u.email, u.role, u.assigned_clients,
       u.password_hash, coalesce((extract(epoch FROM u.tokens_valid_after) * 1000000)::bigint, 0) AS password_version,
       a.id AS account_id, a.slug AS account_slug, a.plan AS account_plan, a.settings AS account_settings
  FROM users u
  JOIN accounts a ON a.id = u.account_id
 WHERE (lower(u.username) = lower($1) OR lower(u.email) = lower($1))
   AND u.active
   AND a.status = 'active'
