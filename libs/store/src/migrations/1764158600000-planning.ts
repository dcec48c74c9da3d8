import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Shared planning records: companies (PlanSync's `company_name`, Planfix's company contacts), spreadsheets by
 * reporting year, files and touchpoints.
 */
export class Planning1764158600000 implements MigrationInterface {
  name = 'Planning1764158600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE companies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One company per name in an account, whatever its case and surrounding spaces: either protocol may create it.
    await q.query(`CREATE UNIQUE INDEX uq_companies__name ON companies (account_id, lower(btrim(name)))`);

    // Sheets an operator registered for an account (the built-ins exist for every account without a row).
    await q.query(`
      CREATE TABLE sheets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL,
        client_column text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_sheets__name UNIQUE (account_id, name)
      )`);
    await q.query(`
      CREATE TABLE sheet_tables (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        sheet_name text NOT NULL,
        year integer NOT NULL CHECK (year BETWEEN 1900 AND 2100),
        client_column text NOT NULL,
        columns jsonb NOT NULL,
        row_count integer NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        -- A replaced table is kept a while, so that a reader streaming it finishes on the rows it started with.
        replaced_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_sheet_tables__year ON sheet_tables (account_id, sheet_name, year) WHERE replaced_at IS NULL`);
    await q.query(`
      CREATE TABLE sheet_rows (
        table_id uuid NOT NULL REFERENCES sheet_tables(id) ON DELETE CASCADE,
        row_number integer NOT NULL,
        client_key text NOT NULL,
        cells jsonb NOT NULL,
        PRIMARY KEY (table_id, row_number)
      )`);
    await q.query(`CREATE INDEX ix_sheet_rows__client ON sheet_rows (table_id, client_key)`);

    await q.query(`
      CREATE TABLE files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        owner_user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        filename text NOT NULL,
        company_id uuid NOT NULL REFERENCES companies(id),
        document_type text NOT NULL,
        content_type text NOT NULL,
        size bigint NOT NULL CHECK (size > 0),
        sha256 text NOT NULL,
        storage_key text NOT NULL CONSTRAINT uq_files__storage_key UNIQUE,
        uploaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT uq_files__filename UNIQUE (owner_user_id, filename)
      )`);

    await q.query(`
      CREATE TABLE touchpoints (
        unid uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        year integer NOT NULL CHECK (year BETWEEN 1900 AND 2100),
        company_id uuid NOT NULL REFERENCES companies(id),
        touchpoints text NOT NULL,
        reporting_quarter text NOT NULL CHECK (reporting_quarter IN ('Q1','Q2','Q3','Q4','All')),
        reporting_year text NOT NULL CHECK (reporting_year ~ '^[0-9]{4}$'),
        stakeholders text,
        date date NOT NULL,
        time_spent double precision CHECK (time_spent BETWEEN 0 AND 100000),
        include_in_annual_review_report text NOT NULL CHECK (include_in_annual_review_report IN ('Yes','No')),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX ix_touchpoints__list ON touchpoints (account_id, year, date DESC, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['touchpoints', 'files', 'sheet_rows', 'sheet_tables', 'sheets', 'companies']) await q.query(`DROP TABLE ${t}`);
  }
}
