UPDATE refresh_families SET revoked_at = now(), revoked_reason = $2
 WHERE id = $1 AND revoked_at IS NULL
RETURNING id
