SELECT f.id AS family_id, k.id AS key_id,
       u.id AS user_id, u.number AS user_number, u.username, u.email, u.role, u.assigned_clients,
       a.id AS account_id, a.slug AS account_slug, a.plan AS account_plan, a.settings AS account_settings
  FROM refresh_families f
  JOIN api_keys k ON k.id = f.key_id
  JOIN users u ON u.id = f.user_id
  JOIN accounts a ON a.id = f.account_id
 WHERE f.id = $1
   AND f.revoked_at IS NULL
   AND k.revoked_at IS NULL
   AND u.active
   AND a.status = 'active'
