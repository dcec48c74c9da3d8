import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What Planpoint adds to the shared records (the `projects` columns are already there, from the Planfix migration):
 * users' `public_id` (Planpoint's `user` fields) and `tokens_valid_after` (a password change ends earlier access
 * tokens); the account's Planpoint namespace as a stored generated column (the setting, else the slug) with a unique
 * index, so that another account's namespace, set or implied by a new slug, is a unique violation (409); floors,
 * units, leads, groups and enterprises with their memberships. Every record has an ObjectId-layout `public_id`.
 */
export class Planpoint1764159000000 implements MigrationInterface {
  name = 'Planpoint1764159000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users
        ADD COLUMN public_id text NOT NULL DEFAULT new_object_id() CONSTRAINT uq_users__public_id UNIQUE,
        ADD COLUMN tokens_valid_after timestamptz`);
    await q.query(`
      ALTER TABLE accounts
        ADD COLUMN planpoint_namespace text GENERATED ALWAYS AS (coalesce(settings #>> '{planpoint,namespace}', slug)) STORED`);
    await q.query(`CREATE UNIQUE INDEX uq_accounts__namespace ON accounts (planpoint_namespace)`);

    await q.query(`
      CREATE TABLE floors (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        public_id text NOT NULL DEFAULT new_object_id() CONSTRAINT uq_floors__public_id UNIQUE,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
        level double precision,
        position double precision NOT NULL DEFAULT 0,
        path text CHECK (length(path) <= 100000),
        alternative_paths jsonb NOT NULL DEFAULT '[]'::jsonb,
        image text CHECK (length(image) <= 2048),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX ix_floors__project ON floors (project_id, position, created_at)`);

    await q.query(`
      CREATE TABLE units (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        public_id text NOT NULL DEFAULT new_object_id() CONSTRAINT uq_units__public_id UNIQUE,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        floor_id bigint NOT NULL REFERENCES floors(id) ON DELETE CASCADE,
        name text CHECK (length(name) <= 255),
        status text NOT NULL DEFAULT 'Available'
          CHECK (status IN ('Available','On Hold','Reserved','Sold','Leased','Unavailable')),
        bedrooms text CHECK (length(bedrooms) <= 32),
        bath double precision,
        sqft double precision,
        price double precision,
        parking double precision,
        orientation text CHECK (length(orientation) <= 255),
        model text CHECK (length(model) <= 255),
        unitmodels jsonb NOT NULL DEFAULT '[]'::jsonb,
        on_hold_expires_at timestamptz,
        position double precision NOT NULL DEFAULT 0,
        extra jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX ix_units__project ON units (project_id, floor_id, position, created_at)`);
    await q.query(`CREATE INDEX ix_units__floor ON units (floor_id)`);

    await q.query(`
      CREATE TABLE leads (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        public_id text NOT NULL DEFAULT new_object_id() CONSTRAINT uq_leads__public_id UNIQUE,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        unit_id bigint REFERENCES units(id) ON DELETE SET NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
        email text NOT NULL CHECK (length(email) <= 254),
        phone text CHECK (length(phone) <= 50),
        message text CHECK (length(message) <= 5000),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX ix_leads__project ON leads (project_id, created_at DESC)`);

    // Groups and enterprises share one shape; hostName unique per account and kind.
    for (const [table, image] of [
      ['groups', 'group_image_url'],
      ['enterprises', 'enterprise_image_url'],
    ]) {
      await q.query(`
        CREATE TABLE ${table} (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          public_id text NOT NULL DEFAULT new_object_id() CONSTRAINT uq_${table}__public_id UNIQUE,
          account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
          user_id uuid NOT NULL REFERENCES users(id),
          name text NOT NULL CHECK (length(name) BETWEEN 3 AND 120),
          host_name text NOT NULL CHECK (host_name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
          type text CHECK (length(type) <= 64),
          property_type text CHECK (length(property_type) <= 64),
          ${image} text CHECK (length(${image}) <= 2048),
          published boolean NOT NULL DEFAULT true,
          created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
          updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
          CONSTRAINT uq_${table}__hostName UNIQUE (account_id, host_name)
        )`);
    }
    await q.query(`
      CREATE TABLE group_projects (
        group_id bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        position integer NOT NULL,
        PRIMARY KEY (group_id, project_id)
      )`);
    await q.query(`
      CREATE TABLE enterprise_groups (
        enterprise_id bigint NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
        group_id bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        position integer NOT NULL,
        PRIMARY KEY (enterprise_id, group_id)
      )`);
    await q.query(`
      CREATE TABLE enterprise_projects (
        enterprise_id bigint NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
        project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        position integer NOT NULL,
        PRIMARY KEY (enterprise_id, project_id)
      )`);
    await q.query(`CREATE INDEX ix_group_projects__project ON group_projects (project_id)`);
    await q.query(`CREATE INDEX ix_enterprise_projects__project ON enterprise_projects (project_id)`);
    await q.query(`CREATE INDEX ix_enterprise_groups__group ON enterprise_groups (group_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['enterprise_projects', 'enterprise_groups', 'group_projects', 'enterprises', 'groups', 'leads', 'units', 'floors']) {
      await q.query(`DROP TABLE ${t}`);
    }
    await q.query(`DROP INDEX uq_accounts__namespace`);
    await q.query(`ALTER TABLE accounts DROP COLUMN planpoint_namespace`);
    await q.query(`ALTER TABLE users DROP COLUMN public_id, DROP COLUMN tokens_valid_after`);
  }
}
