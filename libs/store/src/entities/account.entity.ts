import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const ACCOUNT_PLANS = ['free', 'basic', 'pro', 'premium'] as const;
export type AccountPlan = (typeof ACCOUNT_PLANS)[number];
export const ACCOUNT_STATUSES = ['active', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** A tenant. Every other record belongs to exactly one account. */
@Entity({ name: 'accounts' })
export class AccountEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  slug: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  plan: AccountPlan;

  @Column({ type: 'text' })
  status: AccountStatus;

  /** Per-protocol options, stored sparse: only what an operator set; defaults apply to the rest. */
  @Column({ type: 'jsonb' })
  settings: Record<string, Record<string, unknown>>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
