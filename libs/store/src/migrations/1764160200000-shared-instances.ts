import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What instances on one database must agree on lives in the database, not in each instance's DATA_DIR:
 * - `gateway_secrets`: secrets made once by whichever instance starts first (the JWT signing secret, from which the
 *   keys that encrypt stored secrets are derived). A row is written once and never updated, so that every instance
 *   reads the same value; the migration creates none (the prepared store that every new folder copies must not carry
 *   one secret for every installation).
 * - `file_blobs` and `file_blob_chunks`: uploaded file contents (FILES_STORE=database), in chunks so that neither an
 *   upload nor a download holds a whole file. A blob is readable once `complete`; `files.storage_key` names it.
 *   `writer` (host~pid) lets a restart on the same host drop the chunks of its own dead uploads at once.
 */
export class SharedInstances1764160200000 implements MigrationInterface {
  name = 'SharedInstances1764160200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gateway_secrets (
        name text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE file_blobs (
        storage_key text PRIMARY KEY,
        complete boolean NOT NULL DEFAULT false,
        size bigint,
        sha256 text,
        writer text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE file_blob_chunks (
        storage_key text NOT NULL REFERENCES file_blobs (storage_key) ON DELETE CASCADE,
        seq integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (storage_key, seq)
      )`);
    // the sweep looks for old blobs no file row names
    await q.query(`CREATE INDEX ix_file_blobs__created_at ON file_blobs (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE file_blob_chunks`);
    await q.query(`DROP TABLE file_blobs`);
    await q.query(`DROP TABLE gateway_secrets`);
  }
}
