SELECT t.family_id, t.replaced_at IS NOT NULL AS rotated
  FROM refresh_tokens t
 WHERE t.token_sha256 = $1
