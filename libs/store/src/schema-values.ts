/**
 * The values the schema's CHECK constraints allow in the columns that code branches on (migration 1764158400000):
 * validators, role checks and the types of the rows that carry them take them from here.
 */
export const ACCOUNT_PLANS = ['free', 'basic', 'pro', 'premium'] as const;
export type AccountPlan = (typeof ACCOUNT_PLANS)[number];

export const ACCOUNT_STATUSES = ['active', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const USER_ROLES = ['admin', 'tpa editor', 'recordkeeper', 'advisor', 'plan sponsor'] as const;
export type UserRole = (typeof USER_ROLES)[number];
