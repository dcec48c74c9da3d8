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

/**
 * A Planfix XML session by its SHA-256: alive only while unexpired, its key unrevoked and its key's user active, its
 * user active in an active account, and the user's password version still the one its login was checked against.
 */
export const FIND_XML_SESSION_SQL = `SELECT s.key_id,
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
   AND s.password_version = ${PASSWORD_VERSION}
`;

/** The user of a Planpoint access token (`sub`): alive only while active in an active account. */
export const FIND_TOKEN_USER_SQL = `SELECT u.id AS user_id, u.number AS user_number, u.username, u.email, u.role, u.assigned_clients,
       ${PASSWORD_VERSION} AS password_version,
       a.id AS account_id, a.slug AS account_slug, a.plan AS account_plan, a.settings AS account_settings
  FROM users u
  JOIN accounts a ON a.id = u.account_id
 WHERE u.id = $1
   AND u.active
   AND a.status = 'active'
`;
