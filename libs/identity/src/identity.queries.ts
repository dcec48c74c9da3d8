/**
 * The hot SQL of identity, visible and compared with the committed copies in libs/store/queries/ by a test: a
 * change to a query that every request pays for shows up in review.
 */

/**
 * The version of user `u`'s password: its `tokens_valid_after` in microseconds (0 before any change), moved by a
 * password change, a deactivation and the account's disabling. A session or token derived from a password login
 * carries the version the password was checked against, read in the same row as the hash, and is alive only while
 * it is still the user's: exact, whatever the clocks, and no login racing a change outlives it.
 */
const PASSWORD_VERSION = `coalesce((extract(epoch FROM u.tokens_valid_after) * 1000000)::bigint, 0)`;

export const AUTHENTICATE_KEY_SQL = `SELECT k.id AS key_id, k.secret_sha256, k.last_used_at,
       u.id AS user_id, u.number AS user_number, u.username, u.email, u.role, u.assigned_clients,
       a.id AS account_id, a.slug AS account_slug, a.plan AS account_plan, a.settings AS account_settings
  FROM api_keys k
  JOIN users u ON u.id = k.user_id
  JOIN accounts a ON a.id = k.account_id
 WHERE k.prefix = $1
   AND k.revoked_at IS NULL
   AND u.active
   AND a.status = 'active'
`;

export const FIND_LOGIN_SQL = `SELECT u.id AS user_id, u.number AS user_number, u.username, u.email, u.role, u.assigned_clients,
       u.password_hash, ${PASSWORD_VERSION} AS password_version,
       a.id AS account_id, a.slug AS account_slug, a.plan AS account_plan, a.settings AS account_settings
  FROM users u
  JOIN accounts a ON a.id = u.account_id
 WHERE (lower(u.username) = lower($1) OR lower(u.email) = lower($1))
   AND u.active
   AND a.status = 'active'
`;

/**
 * The user a login identifier names (username or e-mail, any case, trimmed by the caller), whatever their state: a
 * login lockout counts per user, however the client spelt them.
 */
export const FIND_LOGIN_USER_SQL = `SELECT u.id FROM users u WHERE lower(u.username) = lower($1) OR lower(u.email) = lower($1)
`;

export const TOUCH_KEY_SQL = `UPDATE api_keys SET last_used_at = now()
 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
`;

export const READ_EPOCH_SQL = `SELECT epoch FROM identity_epoch WHERE id = 1
`;

export const BUMP_EPOCH_SQL = `UPDATE identity_epoch SET epoch = epoch + 1 WHERE id = 1
`;

/** The user named by a password login's access token (`sub`): alive only while active in an active account. */
export const FIND_TOKEN_USER_SQL = `SELECT u.id AS user_id, u.number AS user_number, u.username, u.email, u.role, u.assigned_clients,
       ${PASSWORD_VERSION} AS password_version,
       a.id AS account_id, a.slug AS account_slug, a.plan AS account_plan, a.settings AS account_settings
  FROM users u
  JOIN accounts a ON a.id = u.account_id
 WHERE u.id = $1
   AND u.active
   AND a.status = 'active'
`;

// --- sessions: the secret kept only as SHA-256, bound to the user, the account and the API key it was opened under ---

/** What a session's lookup selects: its key, then the columns of `PrincipalRow`. */
const SESSION_PRINCIPAL = `k.id AS key_id,
       u.id AS user_id, u.number AS user_number, u.username, u.email, u.role, u.assigned_clients,
       a.id AS account_id, a.slug AS account_slug, a.plan AS account_plan, a.settings AS account_settings`;

/**
 * A fixed-term session by its secret's SHA-256: alive only while unexpired, its key unrevoked and its key's user
 * active, its user active in an active account, and the user's password version still the one its login was checked
 * against.
 */
export const FIND_FIXED_TERM_SESSION_SQL = `SELECT ${SESSION_PRINCIPAL}
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
   AND s.password_version = ${PASSWORD_VERSION}
`;

/**
 * What every access token of a rotating session pays on a cache miss: its family (the session), key, user and
 * account still good.
 */
export const FAMILY_PRINCIPAL_SQL = `SELECT f.id AS family_id, ${SESSION_PRINCIPAL}
  FROM refresh_families f
  JOIN api_keys k ON k.id = f.key_id
  JOIN users u ON u.id = f.user_id
  JOIN accounts a ON a.id = f.account_id
 WHERE f.id = $1
   AND f.revoked_at IS NULL
   AND k.revoked_at IS NULL
   AND u.active
   AND a.status = 'active'
`;

/** A login: a new family and its first refresh token, living $5 seconds, in one statement. */
export const OPEN_FAMILY_SQL = `WITH f AS (
  INSERT INTO refresh_families (account_id, user_id, key_id) VALUES ($1, $2, $3) RETURNING id
)
INSERT INTO refresh_tokens (family_id, token_sha256, expires_at)
SELECT f.id, $4, now() + make_interval(secs => $5) FROM f
RETURNING family_id
`;

/**
 * A renewal, in one statement: the presented token, if usable, is marked replaced by $2 and the new one ($3) joins
 * its family for a fresh $4 seconds. Of two concurrent renewals of one token the second finds it replaced: no row.
 */
export const ROTATE_REFRESH_TOKEN_SQL = `WITH cur AS (
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
SELECT f.id AS family_id, ${SESSION_PRINCIPAL}
  FROM nxt
  JOIN refresh_families f ON f.id = nxt.family_id
  JOIN api_keys k ON k.id = f.key_id
  JOIN users u ON u.id = f.user_id
  JOIN accounts a ON a.id = f.account_id
`;

/** After a failed renewal: was the token one that had been rotated already (a reuse)? */
export const FIND_REFRESH_TOKEN_SQL = `SELECT t.family_id, t.replaced_at IS NOT NULL AS rotated
  FROM refresh_tokens t
 WHERE t.token_sha256 = $1
`;

export const REVOKE_FAMILY_SQL = `UPDATE refresh_families SET revoked_at = now(), revoked_reason = $2
 WHERE id = $1 AND revoked_at IS NULL
RETURNING id
`;
