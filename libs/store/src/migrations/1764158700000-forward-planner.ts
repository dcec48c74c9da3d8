import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Forward Planner v2: refresh-token families (one per `POST /api/v2/auth`, bound to the user and the API key that
 * logged in) with their rotating tokens, stored as SHA-256 only; and the event feed, one row per (account, itemId):
 * the normalised event as JSON in wire order plus the columns its queries filter and sort on. Instants are epoch
 * milliseconds (the wire renders them at millisecond precision, in two zones).
 */
export class ForwardPlanner1764158700000 implements MigrationInterface {
  name = 'ForwardPlanner1764158700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE refresh_families (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        key_id uuid NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await q.query(`CREATE INDEX ix_refresh_families__key ON refresh_families (key_id)`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        family_id uuid NOT NULL REFERENCES refresh_families(id) ON DELETE CASCADE,
        token_sha256 bytea NOT NULL CONSTRAINT uq_refresh_tokens__token_sha256 UNIQUE,
        issued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        expires_at timestamptz NOT NULL,
        replaced_at timestamptz,
        replaced_by uuid REFERENCES refresh_tokens(id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX ix_refresh_tokens__family ON refresh_tokens (family_id)`);

    await q.query(`
      CREATE TABLE events (
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        item_id integer NOT NULL CHECK (item_id >= 1),
        body json NOT NULL,
        start_date date NOT NULL,
        end_date date NOT NULL,
        "time" text NOT NULL,
        is_headline boolean NOT NULL,
        country_id integer NOT NULL,
        category_ids integer[] NOT NULL,
        event_type_ids integer[] NOT NULL,
        product_ids integer[] NOT NULL,
        embargo_ms bigint,
        search_text text NOT NULL,
        created_ms bigint NOT NULL,
        edited_ms bigint NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        deleted_ms bigint,
        released_ms bigint GENERATED ALWAYS AS (greatest(edited_ms, coalesce(embargo_ms, edited_ms))) STORED,
        CONSTRAINT uq_events__item_id PRIMARY KEY (account_id, item_id),
        CONSTRAINT ck_events__end_date CHECK (end_date >= start_date)
      )`);
    await q.query(`CREATE INDEX ix_events__dates ON events (account_id, start_date, end_date)`);
    // events/latest: by edited instant for callers with embargo access, by release instant for everyone else.
    await q.query(`CREATE INDEX ix_events__edited ON events (account_id, edited_ms, item_id)`);
    await q.query(`CREATE INDEX ix_events__released ON events (account_id, released_ms, item_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE events`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE refresh_families`);
  }
}
