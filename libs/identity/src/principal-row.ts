import { type AccountPlan, type UserRole } from '#store';
import { type StoredSettings } from './account-settings.js';
import { type Principal } from './principal.js';

/** The columns that every credential lookup selects to build a Principal. */
export interface PrincipalRow {
  user_id: string;
  user_number: number;
  username: string;
  email: string;
  role: UserRole;
  assigned_clients: string[];
  account_id: string;
  account_slug: string;
  account_plan: AccountPlan;
  account_settings: StoredSettings;
}

export function toPrincipal(row: PrincipalRow, credentialId: string | null): Principal {
  return {
    accountId: row.account_id,
    accountSlug: row.account_slug,
    accountPlan: row.account_plan,
    accountSettings: row.account_settings ?? {},
    userId: row.user_id,
    userNumber: Number(row.user_number),
    username: row.username,
    email: row.email,
    role: row.role,
    assignedClients: row.assigned_clients ?? [],
    credentialId,
  };
}
