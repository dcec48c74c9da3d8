SELECT k.id AS key_id,
       u.id AS user_id, u.number AS user_number, u.username, u.email, u.role, u.assigned_clients,
       a.id AS account_id, a.slug AS account_slug, a.plan AS account_plan, a.settings AS account_settings
  FROM xml_sessions s
  JOIN api_keys k ON k.id = s.key_id
  JOIN users ku ON ku.id = k.user_id
  JOIN users u ON u.id = s.user_id
  JOIN accounts a ON a.id = s.account_id
 WHERE s.sid_sha256 = $1
   AND s.expires_at > now()
   AND k.revoked_at IS NULL
   AND ku.active
   AND u.active
   AND a.status = 'active'
   AND s.password_version = coalesce((extract(epoch FROM u.tokens_valid_after) * 1000000)::bigint, 0)
