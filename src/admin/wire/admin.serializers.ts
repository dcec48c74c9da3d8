import { type Account, type ApiKey, type SettingsRegistry, type User } from '#identity';

/** Admin API bodies: snake_case, effective settings (with the read-only facts beside them), never a secret. */
export function accountBody(a: Account, settings: SettingsRegistry) {
  return {
    slug: a.slug,
    name: a.name,
    plan: a.plan,
    status: a.status,
    settings: settings.shown(a.settings, a),
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
