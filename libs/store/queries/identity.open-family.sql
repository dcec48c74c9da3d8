WITH f AS (
  INSERT INTO refresh_families (account_id, user_id, key_id) VALUES ($1, $2, $3) RETURNING id
)
INSERT INTO refresh_tokens (family_id, token_sha256, expires_at)
SELECT f.id, $4, now() + make_interval(secs => $5) FROM f
RETURNING family_id
