import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The Planfix records and what they share: projects (the rows Planpoint serves too, with Planpoint's own columns
 * already here), tasks, actions, people contacts, the Planfix side of companies (a company contact IS a row of
 * `companies`), per-account `general` numbers, XML sessions and the account's signing key.
 *
 * `general` numbers are handed out by a trigger from one counter row per account and kind, inside the inserting
 * transaction: atomic, never reused, and rolled back with a failed write. A people contact and a company share the
 * kind `contact` and one id sequence, so a contact id or general names exactly one of them.
 */
export class Planfix1764158800000 implements MigrationInterface {
  name = 'Planfix1764158800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE planfix_generals (
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('project','task','contact')),
        last integer NOT NULL,
        PRIMARY KEY (account_id, kind)
      )`);
    await q.query(`
      CREATE FUNCTION next_general(p_account uuid, p_kind text) RETURNS integer LANGUAGE sql VOLATILE AS $fn$
        INSERT INTO planfix_generals AS g (account_id, kind, last) VALUES (p_account, p_kind, 1)
        ON CONFLICT (account_id, kind) DO UPDATE SET last = g.last + 1
        RETURNING last
      $fn$`);
    await q.query(`
      CREATE FUNCTION assign_general() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF NEW.general IS NULL THEN NEW.general := next_general(NEW.account_id, TG_ARGV[0]); END IF;
        RETURN NEW;
      END
      $fn$`);
    // Planpoint's _id: 24 hex in ObjectId layout (4-byte Unix seconds, 5 random bytes, 3-byte counter).
    await q.query(`CREATE SEQUENCE object_id_counter`);
    await q.query(`
      CREATE FUNCTION new_object_id() RETURNS text LANGUAGE sql VOLATILE AS $fn$
        SELECT lpad(to_hex(floor(extract(epoch FROM clock_timestamp()))::bigint), 8, '0')
            || substr(replace(gen_random_uuid()::text, '-', ''), 1, 10)
            || lpad(to_hex(nextval('object_id_counter') % 16777216), 6, '0')
      $fn$`);

    // --- contacts: people here, companies in `companies`; one id sequence for both ---
    await q.query(`CREATE SEQUENCE contact_ids`);
    await q.query(`
      CREATE TABLE contacts (
        id bigint PRIMARY KEY DEFAULT nextval('contact_ids'),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        general integer NOT NULL,
        name text NOT NULL DEFAULT '' CHECK (length(name) <= 255),
        mid_name text NOT NULL DEFAULT '' CHECK (length(mid_name) <= 255),
        last_name text NOT NULL DEFAULT '' CHECK (length(last_name) <= 255),
        post text NOT NULL DEFAULT '' CHECK (length(post) <= 255),
        email text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
        phones jsonb NOT NULL DEFAULT '[]'::jsonb,
        address text NOT NULL DEFAULT '' CHECK (length(address) <= 1000),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 100000),
        sex text CHECK (sex IN ('MALE','FEMALE')),
        site text NOT NULL DEFAULT '' CHECK (length(site) <= 255),
        skype text NOT NULL DEFAULT '' CHECK (length(skype) <= 255),
        facebook text NOT NULL DEFAULT '' CHECK (length(facebook) <= 255),
        vk text NOT NULL DEFAULT '' CHECK (length(vk) <= 255),
        icq text NOT NULL DEFAULT '' CHECK (length(icq) <= 255),
        birthdate date,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT ck_contacts__name CHECK (name <> '' OR last_name <> ''),
        CONSTRAINT uq_contacts__general UNIQUE (account_id, general)
      )`);
    await q.query(`CREATE TRIGGER contacts_general BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION assign_general('contact')`);

    // Companies (PlanSync's company_name) get their Planfix contact columns; existing ones are numbered in order.
    await q.query(`
      ALTER TABLE companies
        ADD COLUMN contact_id bigint NOT NULL DEFAULT nextval('contact_ids') CONSTRAINT uq_companies__contact_id UNIQUE,
        ADD COLUMN general integer,
        ADD COLUMN mid_name text NOT NULL DEFAULT '' CHECK (length(mid_name) <= 255),
        ADD COLUMN last_name text NOT NULL DEFAULT '' CHECK (length(last_name) <= 255),
        ADD COLUMN post text NOT NULL DEFAULT '' CHECK (length(post) <= 255),
        ADD COLUMN email text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
        ADD COLUMN phones jsonb NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN address text NOT NULL DEFAULT '' CHECK (length(address) <= 1000),
        ADD COLUMN description text NOT NULL DEFAULT '' CHECK (length(description) <= 100000),
        ADD COLUMN sex text CHECK (sex IN ('MALE','FEMALE')),
        ADD COLUMN site text NOT NULL DEFAULT '' CHECK (length(site) <= 255),
        ADD COLUMN skype text NOT NULL DEFAULT '' CHECK (length(skype) <= 255),
        ADD COLUMN facebook text NOT NULL DEFAULT '' CHECK (length(facebook) <= 255),
        ADD COLUMN vk text NOT NULL DEFAULT '' CHECK (length(vk) <= 255),
        ADD COLUMN icq text NOT NULL DEFAULT '' CHECK (length(icq) <= 255),
        ADD COLUMN birthdate date,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT clock_timestamp()`);
    await q.query(`
      UPDATE companies c SET general = n.rn
        FROM (SELECT id, row_number() OVER (PARTITION BY account_id ORDER BY created_at, id)::int AS rn FROM companies) n
       WHERE n.id = c.id`);
    await q.query(`
      INSERT INTO planfix_generals (account_id, kind, last)
      SELECT account_id, 'contact', max(general) FROM companies GROUP BY account_id`);
    await q.query(`ALTER TABLE companies ALTER COLUMN general SET NOT NULL`);
    await q.query(`ALTER TABLE companies ADD CONSTRAINT uq_companies__general UNIQUE (account_id, general)`);
    await q.query(`CREATE TRIGGER companies_general BEFORE INSERT ON companies FOR EACH ROW EXECUTE FUNCTION assign_general('contact')`);

    // --- projects: Planfix projects are Planpoint projects ---
    await q.query(`
      CREATE TABLE projects (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        public_id text NOT NULL DEFAULT new_object_id() CONSTRAINT uq_projects__public_id UNIQUE,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        general integer NOT NULL,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
        slug text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
        description text CHECK (length(description) <= 10000),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('DRAFT','ACTIVE','COMPLETED')),
        owner_user_id uuid NOT NULL REFERENCES users(id),
        client_contact_id bigint REFERENCES contacts(id),
        client_company_id uuid REFERENCES companies(id),
        parent_id bigint REFERENCES projects(id),
        hidden boolean NOT NULL DEFAULT false,
        has_end_date boolean NOT NULL DEFAULT false,
        end_date date,
        published boolean NOT NULL DEFAULT true,
        paused boolean NOT NULL DEFAULT false,
        paused_reason text CHECK (length(paused_reason) <= 255),
        viewer_settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        commercial_spaces jsonb NOT NULL DEFAULT '[]'::jsonb,
        collections jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT uq_projects__general UNIQUE (account_id, general),
        CONSTRAINT uq_projects__slug UNIQUE (account_id, slug),
        CONSTRAINT ck_projects__client CHECK (client_contact_id IS NULL OR client_company_id IS NULL),
        CONSTRAINT ck_projects__end_date CHECK (NOT has_end_date OR end_date IS NOT NULL)
      )`);
    await q.query(`CREATE TRIGGER projects_general BEFORE INSERT ON projects FOR EACH ROW EXECUTE FUNCTION assign_general('project')`);
    await q.query(`CREATE INDEX ix_projects__parent ON projects (parent_id) WHERE parent_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE project_members (
        project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('manager','worker','auditor')),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (project_id, role, user_id)
      )`);
    await q.query(`CREATE INDEX ix_project_members__user ON project_members (user_id)`);

    // --- tasks ---
    await q.query(`
      CREATE TABLE tasks (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        general integer NOT NULL,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 100000),
        importance text NOT NULL DEFAULT 'AVERAGE' CHECK (importance IN ('AVERAGE','HIGH')),
        status smallint NOT NULL DEFAULT 1 CHECK (status BETWEEN 1 AND 8),
        check_result boolean NOT NULL DEFAULT false,
        owner_user_id uuid NOT NULL REFERENCES users(id),
        parent_id bigint REFERENCES tasks(id),
        project_id bigint REFERENCES projects(id),
        client_contact_id bigint REFERENCES contacts(id),
        client_company_id uuid REFERENCES companies(id),
        begin_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        start_date date,
        start_time time,
        end_date date,
        end_time time,
        duration integer CHECK (duration >= 0),
        duration_unit smallint CHECK (duration_unit IN (0, 1, 2)),
        is_summary boolean NOT NULL DEFAULT false,
        starred boolean NOT NULL DEFAULT false,
        delayed_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT uq_tasks__general UNIQUE (account_id, general),
        CONSTRAINT ck_tasks__client CHECK (client_contact_id IS NULL OR client_company_id IS NULL),
        CONSTRAINT ck_tasks__start_time CHECK (start_time IS NULL OR start_date IS NOT NULL),
        CONSTRAINT ck_tasks__end_time CHECK (end_time IS NULL OR end_date IS NOT NULL)
      )`);
    await q.query(`CREATE TRIGGER tasks_general BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION assign_general('task')`);
    await q.query(`CREATE INDEX ix_tasks__project ON tasks (project_id) WHERE project_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_tasks__parent ON tasks (parent_id) WHERE parent_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE task_members (
        task_id bigint NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('worker','member','auditor')),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (task_id, role, user_id)
      )`);
    await q.query(`CREATE INDEX ix_task_members__user ON task_members (user_id, role)`);

    // --- actions (comments) on a task or a contact ---
    await q.query(`
      CREATE TABLE actions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        task_id bigint REFERENCES tasks(id) ON DELETE CASCADE,
        contact_id bigint REFERENCES contacts(id) ON DELETE CASCADE,
        company_id uuid REFERENCES companies(id) ON DELETE CASCADE,
        type text NOT NULL DEFAULT 'ACTION' CHECK (type IN ('ACTION','STATUSCHANGED')),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 100000),
        old_status smallint CHECK (old_status BETWEEN 1 AND 8),
        new_status smallint CHECK (new_status BETWEEN 1 AND 8),
        owner_user_id uuid NOT NULL REFERENCES users(id),
        is_hidden boolean NOT NULL DEFAULT false,
        happened_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT ck_actions__subject CHECK (num_nonnulls(task_id, contact_id, company_id) = 1),
        CONSTRAINT ck_actions__status CHECK ((old_status IS NULL) = (new_status IS NULL))
      )`);
    await q.query(`CREATE INDEX ix_actions__task ON actions (task_id, happened_at, id) WHERE task_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_actions__contact ON actions (contact_id, happened_at, id) WHERE contact_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_actions__company ON actions (company_id, happened_at, id) WHERE company_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE action_notified (
        action_id bigint NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (action_id, user_id)
      )`);

    // --- XML sessions: the sid only as SHA-256; they end with their key, user or account ---
    await q.query(`
      CREATE TABLE xml_sessions (
        sid_sha256 bytea PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        key_id uuid NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_xml_sessions__expires ON xml_sessions (expires_at)`);

    // --- the account's signing key (encrypted under a key derived from JWT_SECRET) ---
    await q.query(`ALTER TABLE accounts ADD COLUMN planfix_signing_key text, ADD COLUMN planfix_signing_key_created_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts DROP COLUMN planfix_signing_key, DROP COLUMN planfix_signing_key_created_at`);
    for (const t of ['xml_sessions', 'action_notified', 'actions', 'task_members', 'tasks', 'project_members', 'projects'])
      await q.query(`DROP TABLE ${t}`);
    await q.query(`DROP TRIGGER companies_general ON companies`);
    await q.query(`
      ALTER TABLE companies DROP COLUMN contact_id, DROP COLUMN general, DROP COLUMN mid_name, DROP COLUMN last_name,
        DROP COLUMN post, DROP COLUMN email, DROP COLUMN phones, DROP COLUMN address, DROP COLUMN description,
        DROP COLUMN sex, DROP COLUMN site, DROP COLUMN skype, DROP COLUMN facebook, DROP COLUMN vk, DROP COLUMN icq,
        DROP COLUMN birthdate, DROP COLUMN updated_at`);
    await q.query(`DROP TABLE contacts`);
    await q.query(`DROP SEQUENCE contact_ids`);
    await q.query(`DROP FUNCTION new_object_id()`);
    await q.query(`DROP SEQUENCE object_id_counter`);
    await q.query(`DROP FUNCTION assign_general()`);
    await q.query(`DROP FUNCTION next_general(uuid, text)`);
    await q.query(`DROP TABLE planfix_generals`);
  }
}
