import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Accounts, users and API keys. Unique constraints are named `uq_<table>__<field>` so that a violation
 * can be reported as a conflict on that field (see pg-errors.ts).
 */
export class Identity1764158400000 implements MigrationInterface {
  name = 'Identity1764158400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL CONSTRAINT uq_accounts__slug UNIQUE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        plan text NOT NULL DEFAULT 'basic' CHECK (plan IN ('free','basic','pro','premium')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_accounts__slug CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$')
      )`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number integer GENERATED ALWAYS AS IDENTITY CONSTRAINT uq_users__number UNIQUE,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        username text NOT NULL,
        email text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin','tpa editor','recordkeeper','advisor','plan sponsor')),
        assigned_clients jsonb NOT NULL DEFAULT '[]'::jsonb,
        password_hash text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Usernames and e-mails are unique across the gateway, whatever their case: logins name no account.
    await q.query(`CREATE UNIQUE INDEX uq_users__username ON users (lower(username))`);
    await q.query(`CREATE UNIQUE INDEX uq_users__email ON users (lower(email))`);
    await q.query(`CREATE INDEX ix_users__account ON users (account_id, username)`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL,
        secret_sha256 bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_api_keys__name ON api_keys (user_id, name) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX ix_api_keys__prefix ON api_keys (prefix)`);
    // Bumped in the transaction of every change that withdraws a credential; each instance polls it and drops
    // its cached principals when it moves, so a revocation reaches every instance within a poll interval.
    await q.query(`CREATE TABLE identity_epoch (id smallint PRIMARY KEY CHECK (id = 1), epoch bigint NOT NULL)`);
    await q.query(`INSERT INTO identity_epoch (id, epoch) VALUES (1, 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity_epoch`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE accounts`);
  }
}
