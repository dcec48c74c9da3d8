import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Where the server's fields go in each event's stored JSON text (a UTF-16 offset into `body::text`), found once at
 * import: reads splice the stamps in there instead of scanning every event's text on every page. Null for rows
 * written before this migration (and for content with no key after the server's fields): those are scanned.
 */
export class EventSpliceOffsets1764159200000 implements MigrationInterface {
  name = 'EventSpliceOffsets1764159200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events ADD COLUMN server_fields_at integer CHECK (server_fields_at >= 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events DROP COLUMN server_fields_at`);
  }
}
