import { effectiveSettings, type Account, type ApiKey, type EffectiveSettings, type User } from '#identity';

/** The effective settings with the read-only facts shown beside them (docs/planfix.md: `signing_key_set`). */
function withReadOnlySettings(settings: EffectiveSettings, a: Account) {
  return { ...settings, planfix: { ...settings.planfix, signing_key_set: a.planfixSigningKeySet } };
}

/** Admin API bodies: snake_case, effective settings, never a secret. */
export function accountBody(a: Account) {
  return {
    slug: a.slug,
    name: a.name,
    plan: a.plan,
    status: a.status,
    settings: withReadOnlySettings(effectiveSettings(a.settings, a), a),
    users_count: a.usersCount ?? 0,
    created_at: a.createdAt,
  };
}

export function userBody(u: User) {
  return {
    username: u.username,
    email: u.email,
    role: u.role,
    assigned_clients: u.assignedClients,
    active: u.active,
    created_at: u.createdAt,
  };
}

export function keyBody(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    created_at: k.createdAt,
    last_used_at: k.lastUsedAt,
    revoked_at: k.revokedAt,
  };
}
