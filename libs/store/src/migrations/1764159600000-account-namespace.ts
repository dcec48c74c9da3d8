import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The account's namespace column drops its protocol prefix: every view of a project reads it (public finds, group
 * members), and the projects lib that reads it knows no protocol. The setting that fills it stays where the Admin
 * API writes it (`settings.planpoint.namespace`, else the slug), and so does its unique index.
 */
export class AccountNamespace1764159600000 implements MigrationInterface {
  name = 'AccountNamespace1764159600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts RENAME COLUMN planpoint_namespace TO namespace`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts RENAME COLUMN namespace TO planpoint_namespace`);
  }
}
