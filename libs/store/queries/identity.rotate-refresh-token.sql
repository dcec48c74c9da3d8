WITH cur AS (
  SELECT t.id, t.family_id
    FROM refresh_tokens t
    JOIN refresh_families f ON f.id = t.family_id
    JOIN api_keys k ON k.id = f.key_id
    JOIN users u ON u.id = f.user_id
    JOIN accounts a ON a.id = f.account_id
   WHERE t.token_sha256 = $1
     AND t.replaced_at IS NULL
     AND t.expires_at > now()
     AND f.revoked_at IS NULL
     AND k.revoked_at IS NULL
     AND u.active
     AND a.status = 'active'
     FOR UPDATE OF t
), old AS (
  UPDATE refresh_tokens t SET replaced_at = now(), replaced_by = $2 FROM cur WHERE t.id = cur.id RETURNING t.family_id
), nxt AS (
  INSERT INTO refresh_tokens (id, family_id, token_sha256, expires_at)
  SELECT $2, old.family_id, $3, now() + make_interval(secs => $4) FROM old
  RETURNING family_id
)
SELECT f.id AS family_id, k.id AS key_id,
       u.id AS user_id, u.number AS user_number, u.username, u.email, u.role, u.assigned_clients,
       a.id AS account_id, a.slug AS account_slug, a.plan AS account_plan, a.settings AS account_settings
  FROM nxt
  JOIN refresh_families f ON f.id = nxt.family_id
  JOIN api_keys k ON k.id = f.key_id
  JOIN users u ON u.id = f.user_id
  JOIN accounts a ON a.id = f.account_id
