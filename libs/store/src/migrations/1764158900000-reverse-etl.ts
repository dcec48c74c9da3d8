import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The role SQL sources run as (docs/reverse-etl.md). Roles are cluster-wide: several databases share it. */
export const RETL_READER_ROLE = 'plangate_retl_reader';

/**
 * Reverse ETL (docs/reverse-etl.md): destinations (secret config encrypted by the gateway), syncs, runs, run items and
 * dead letters; and the sandbox SQL sources read through: `retl_src` views of the models filtered on the account of
 * the reading transaction's own context row (`retl_query_context`, matched on `pg_current_xact_id()`; such
 * transactions always roll back), and the role `plangate_retl_reader` that may read those views and nothing else.
 *
 * The role, its grants and the revocation of `set_config` from PUBLIC need a superuser: as anyone else this part is
 * skipped, and the start check then turns SQL sources off (model references still run).
 *
 * Models written by modules that may not be in this database yet (Planfix projects, tasks, contacts) get their view
 * only when their table exists; a later migration adds the view of a model that arrives after this one.
 */
export class ReverseEtl1764158900000 implements MigrationInterface {
  name = 'ReverseEtl1764158900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE retl_destinations (
        id text PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        connector text NOT NULL CHECK (connector IN ('webhook','postgres')),
        config jsonb NOT NULL,
        secrets bytea NOT NULL,
        status text NOT NULL DEFAULT 'unknown' CHECK (status IN ('connected','error','unknown')),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX ix_retl_destinations__account ON retl_destinations (account_id, id)`);

    await q.query(`
      CREATE TABLE retl_syncs (
        id text PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        source_query text NOT NULL,
        source_type text NOT NULL CHECK (source_type IN ('model','sql')),
        destination_id text REFERENCES retl_destinations(id) ON DELETE SET NULL,
        object_name text NOT NULL,
        field_mappings jsonb NOT NULL,
        key_fields jsonb NOT NULL DEFAULT '[]'::jsonb,
        sync_mode text NOT NULL CHECK (sync_mode IN ('upsert','insert','update','delete')),
        schedule jsonb NOT NULL,
        next_run_at timestamptz,
        enabled boolean NOT NULL DEFAULT true,
        watermark_column text,
        watermark text,
        -- moves whenever the source or the watermark column changes: a run of an older definition keeps its watermark to itself
        source_version integer NOT NULL DEFAULT 1,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX ix_retl_syncs__account ON retl_syncs (account_id, id) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX ix_retl_syncs__destination ON retl_syncs (destination_id) WHERE deleted_at IS NULL`);
    await q.query(
      `CREATE INDEX ix_retl_syncs__due ON retl_syncs (next_run_at) WHERE enabled AND deleted_at IS NULL AND next_run_at IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE retl_runs (
        id text PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        sync_id text NOT NULL REFERENCES retl_syncs(id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('queued','running','succeeded','failed','canceled')),
        trigger text NOT NULL CHECK (trigger IN ('api','schedule','replay')),
        triggered_by text,
        full_resync boolean NOT NULL DEFAULT false,
        replay_of jsonb,
        definition jsonb,
        staged boolean NOT NULL DEFAULT false,
        batches integer NOT NULL DEFAULT 0,
        rows_read integer NOT NULL DEFAULT 0,
        rows_written integer NOT NULL DEFAULT 0,
        rows_failed integer NOT NULL DEFAULT 0,
        watermark_from text,
        watermark_to text,
        attempt integer NOT NULL DEFAULT 0,
        reclaims integer NOT NULL DEFAULT 0,
        error jsonb,
        claimed_by text,
        lease_until timestamptz,
        cancel_requested boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    // One running run per sync, whatever two instances claim at the same moment.
    await q.query(`CREATE UNIQUE INDEX uq_retl_runs__sync_id ON retl_runs (sync_id) WHERE status = 'running'`);
    await q.query(`CREATE INDEX ix_retl_runs__active ON retl_runs (created_at, id) WHERE status IN ('queued','running')`);
    await q.query(`CREATE INDEX ix_retl_runs__account ON retl_runs (account_id, id)`);
    await q.query(`CREATE INDEX ix_retl_runs__sync ON retl_runs (sync_id, id)`);

    await q.query(`
      CREATE TABLE retl_run_items (
        run_id text NOT NULL REFERENCES retl_runs(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        payload jsonb NOT NULL,
        watermark text,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','done')),
        batch text,
        replay_of text,
        retry_count integer NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, seq)
      )`);
    await q.query(`CREATE INDEX ix_retl_run_items__open ON retl_run_items (run_id, seq) WHERE status <> 'done'`);

    await q.query(`
      CREATE TABLE retl_dead_letters (
        id text PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        sync_id text NOT NULL REFERENCES retl_syncs(id) ON DELETE CASCADE,
        run_id text NOT NULL REFERENCES retl_runs(id) ON DELETE CASCADE,
        destination_id text NOT NULL,
        object_name text NOT NULL,
        error_code text NOT NULL,
        error_message text NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        retry_count integer NOT NULL DEFAULT 0,
        row_data jsonb NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved')),
        resolved_at timestamptz,
        resolution_reason text,
        resolution_note text,
        resolved_by text,
        replay_run_id text,
        replay_of text
      )`);
    await q.query(`CREATE INDEX ix_retl_dead_letters__account ON retl_dead_letters (account_id, id)`);
    await q.query(`CREATE INDEX ix_retl_dead_letters__open ON retl_dead_letters (sync_id) WHERE status = 'open'`);
    await q.query(`CREATE INDEX ix_retl_dead_letters__run ON retl_dead_letters (run_id)`);

    // --- the SQL-source sandbox ---
    await q.query(`
      CREATE TABLE retl_query_context (
        xact_id xid8 PRIMARY KEY DEFAULT pg_current_xact_id(),
        account_id uuid NOT NULL
      )`);
    await q.query(`
      CREATE FUNCTION retl_current_account() RETURNS uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
        SELECT account_id FROM public.retl_query_context WHERE xact_id = pg_current_xact_id()
      $fn$`);
    await q.query(`REVOKE ALL ON FUNCTION retl_current_account() FROM PUBLIC`);
    // encodeURIComponent, for the files model's download path.
    await q.query(`
      CREATE FUNCTION retl_uri_component(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $fn$
        SELECT coalesce(string_agg(CASE WHEN ch ~ '^[A-Za-z0-9_.!~*''()-]$' THEN ch
                                        ELSE regexp_replace(upper(encode(convert_to(ch, 'UTF8'), 'hex')), '(..)', '%\\1', 'g') END,
                                   '' ORDER BY ord), '')
          FROM regexp_split_to_table($1, '') WITH ORDINALITY AS s(ch, ord)
      $fn$`);
    await q.query(`CREATE SCHEMA retl_src`);
    const account = `(SELECT public.retl_current_account())`;
    await q.query(`
      CREATE VIEW retl_src.touchpoints WITH (security_barrier) AS
      SELECT t.unid::text AS id, t.year, c.name AS company_name, t.touchpoints, t.reporting_quarter, t.reporting_year,
             t.stakeholders, t.date, t.time_spent, t.include_in_annual_review_report, t.created_by, t.created_at, t.updated_at
        FROM public.touchpoints t JOIN public.companies c ON c.id = t.company_id
       WHERE t.account_id = ${account}`);
    const companyColumns = new Set(
      (
        (await q.query(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'companies'`,
        )) as { column_name: string }[]
      ).map((r) => r.column_name),
    );
    const col = (name: string, expr = `c.${name}`) => (companyColumns.has(name) ? `${expr} AS ${name}` : `NULL::text AS ${name}`);
    await q.query(`
      CREATE VIEW retl_src.companies WITH (security_barrier) AS
      SELECT c.id::text AS id, c.name, ${col('email')}, ${companyColumns.has('phones') ? `(SELECT string_agg(coalesce(p->>'number', p #>> '{}'), ', ') FROM jsonb_array_elements(c.phones) p) AS phone` : 'NULL::text AS phone'},
             ${col('address')}, ${col('site')}, ${col('description')}, c.created_at,
             ${companyColumns.has('updated_at') ? 'c.updated_at' : 'c.created_at'} AS updated_at
        FROM public.companies c
       WHERE c.account_id = ${account}`);
    await q.query(`
      CREATE VIEW retl_src.events WITH (security_barrier) AS
      SELECT e.item_id::text AS id, e.item_id, e.body->>'summary' AS summary, e.body->>'description' AS description,
             e.start_date, e.end_date, e."time", e.body->>'venue' AS venue, e.body->>'organisationName' AS organisation_name,
             e.deleted, to_timestamp(e.created_ms / 1000.0) AS created_at,
             to_timestamp(greatest(e.edited_ms, coalesce(e.deleted_ms, 0)) / 1000.0) AS updated_at
        FROM public.events e
       WHERE e.account_id = ${account}`);
    await q.query(`
      CREATE VIEW retl_src.files WITH (security_barrier) AS
      SELECT f.id::text AS id, f.filename, c.name AS company_name, f.document_type, f.content_type, f.size, f.sha256,
             '/api/v1/files/' || public.retl_uri_component(f.filename) AS file_location, f.uploaded_at AS created_at,
             f.uploaded_at AS updated_at
        FROM public.files f JOIN public.companies c ON c.id = f.company_id
       WHERE f.account_id = ${account}`);
    await this.optionalModelViews(q, account);

    await q.query(`
      DO $do$
      DECLARE
        v record;
      BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          RAISE NOTICE 'reverse ETL: not a superuser, so the % role is left to an operator (SQL sources stay off)', '${RETL_READER_ROLE}';
          RETURN;
        END IF;
        BEGIN
          CREATE ROLE ${RETL_READER_ROLE} NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
        GRANT USAGE ON SCHEMA retl_src TO ${RETL_READER_ROLE};
        FOR v IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'retl_src' AND c.relkind = 'v' LOOP
          EXECUTE format('GRANT SELECT ON retl_src.%I TO ${RETL_READER_ROLE}', v.relname);
        END LOOP;
        GRANT EXECUTE ON FUNCTION public.retl_current_account() TO ${RETL_READER_ROLE};
        -- else set_config('role', ...) inside a query switches back to the gateway's login role
        REVOKE EXECUTE ON FUNCTION pg_catalog.set_config(text, text, boolean) FROM PUBLIC;
        EXECUTE format('GRANT EXECUTE ON FUNCTION pg_catalog.set_config(text, text, boolean) TO %I', current_user);
      END
      $do$`);
  }

  /** Views of models whose tables another module creates (Planfix); skipped while their table is missing. */
  private async optionalModelViews(q: QueryRunner, account: string): Promise<void> {
    const has = async (table: string) =>
      ((await q.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`public.${table}`])) as { ok: boolean }[])[0].ok;
    // A table of another shape than expected leaves its model unavailable instead of failing the start.
    const view = async (sql: string) => {
      await q.query(`SAVEPOINT retl_view`);
      try {
        await q.query(sql);
        await q.query(`RELEASE SAVEPOINT retl_view`);
      } catch {
        await q.query(`ROLLBACK TO SAVEPOINT retl_view`);
      }
    };
    if (await has('contacts')) {
      await view(`
        CREATE VIEW retl_src.contacts WITH (security_barrier) AS
        SELECT k.id::text AS id, k.general, k.name, k.mid_name, k.last_name, k.post, k.email,
               (SELECT string_agg(coalesce(p->>'number', p #>> '{}'), ', ') FROM jsonb_array_elements(k.phones) p) AS phone,
               k.address, k.created_at, k.updated_at
          FROM public.contacts k
         WHERE k.account_id = ${account}`);
    }
    if (await has('projects')) {
      await view(`
        CREATE VIEW retl_src.projects WITH (security_barrier) AS
        SELECT p.id::text AS id, p.general, p.slug, p.title, p.description, p.status, u.username AS owner,
               coalesce(cc.name, nullif(btrim(concat_ws(' ', k.name, k.last_name)), '')) AS client,
               p.created_at::date AS begin_date, p.end_date, p.created_at, p.updated_at
          FROM public.projects p
          JOIN public.users u ON u.id = p.owner_user_id
          LEFT JOIN public.companies cc ON cc.id = p.client_company_id
          LEFT JOIN public.contacts k ON k.id = p.client_contact_id
         WHERE p.account_id = ${account}`);
    }
    if (await has('tasks')) {
      await view(`
        CREATE VIEW retl_src.tasks WITH (security_barrier) AS
        SELECT t.id::text AS id, t.general, t.project_id::text AS project_id, t.title, t.description, t.status,
               t.importance, u.username AS owner,
               CASE WHEN t.start_date IS NULL THEN NULL ELSE (t.start_date + coalesce(t.start_time, time '00:00')) END AS start_at,
               CASE WHEN t.end_date IS NULL THEN NULL ELSE (t.end_date + coalesce(t.end_time, time '00:00')) END AS end_at,
               t.created_at, t.updated_at
          FROM public.tasks t
          JOIN public.users u ON u.id = t.owner_user_id
         WHERE t.account_id = ${account}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA retl_src CASCADE`);
    await q.query(`DROP FUNCTION retl_uri_component(text)`);
    await q.query(`DROP FUNCTION retl_current_account()`);
    for (const t of ['retl_query_context', 'retl_dead_letters', 'retl_run_items', 'retl_runs', 'retl_syncs', 'retl_destinations'])
      await q.query(`DROP TABLE ${t}`);
  }
}
