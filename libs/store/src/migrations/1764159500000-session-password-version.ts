import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Planfix sessions record the version of the password their `auth.login` checked (the user's `tokens_valid_after`
 * in microseconds, 0 before any change): a session lives only while it is still the user's, so a password change
 * ends it, as it ends Planpoint's access tokens. Sessions opened before this migration have none and are ended
 * (clients log in again on 0005).
 */
export class SessionPasswordVersion1764159500000 implements MigrationInterface {
  name = 'SessionPasswordVersion1764159500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE xml_sessions ADD COLUMN password_version bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE xml_sessions DROP COLUMN password_version`);
  }
}
