SELECT k.id AS key_id, k.secret_sha256, k.last_used_at,
       u.id AS user_id, u.number AS user_number, u.username, u.email, u.role, u.assigned_clients,
       a.id AS account_id, a.slug AS account_slug, a.plan AS account_plan, a.settings AS account_settings
  FROM api_keys k
  JOIN users u ON u.id = k.user_id
  JOIN accounts a ON a.id = k.account_id
 WHERE k.prefix = $1
   AND k.revoked_at IS NULL
   AND u.active
   AND a.status = 'active'
