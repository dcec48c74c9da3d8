import { type AccountPlan, type UserRole } from '#store';
import { type StoredSettings } from './account-settings.js';

/** Who is calling, resolved once per request by the protocol's guard; every shared service takes it first. */
export interface Principal {
  accountId: string;
  accountSlug: string;
  accountPlan: AccountPlan;
  /** The account's stored (sparse) settings; see `effectiveSettings`. */
  accountSettings: StoredSettings;
  userId: string;
  /** Numeric user id, for protocols whose clients expect integers. */
  userNumber: number;
  username: string;
  email: string;
  role: UserRole;
  assignedClients: string[];
  /** The API key that authenticated the request; null after a password login. */
  credentialId: string | null;
  /**
   * After a password login only: the version of the password it was checked against (see identity.queries.ts).
   * A session or token derived from the login carries it, and dies when the user's version moves.
   */
  passwordVersion?: string;
}
