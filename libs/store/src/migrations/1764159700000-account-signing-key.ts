import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The account's signing key drops its protocol prefix: the identity lib that keeps it knows no protocol. Which
 * protocol checks signatures with it, and when a request must be signed, is that protocol's settings section.
 */
export class AccountSigningKey1764159700000 implements MigrationInterface {
  name = 'AccountSigningKey1764159700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts RENAME COLUMN planfix_signing_key TO signing_key`);
    await q.query(`ALTER TABLE accounts RENAME COLUMN planfix_signing_key_created_at TO signing_key_created_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts RENAME COLUMN signing_key TO planfix_signing_key`);
    await q.query(`ALTER TABLE accounts RENAME COLUMN signing_key_created_at TO planfix_signing_key_created_at`);
  }
}
