import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { RETL_READER_ROLE } from './1764158900000-reverse-etl.js';

const ACCOUNT = `(SELECT public.retl_current_account())`;

/**
 * Four more models a sync may read: actions (a task's, a contact's or a company's history), floors, units and leads.
 * Each is a `retl_src` view filtered on the reading transaction's account, with an `updated_at` for incremental runs:
 * floors and units carry their own stamp; actions and leads are never changed once written, so theirs is their
 * creation. None of them keeps a tombstone (a deleted row is gone), so they have no `deleted` column. Records of
 * another protocol are named by the ids that protocol gives them (floors', units' and leads' public ids; the
 * project's id as the projects model gives it).
 */
export class RetlMoreModels1764160000000 implements MigrationInterface {
  name = 'RetlMoreModels1764160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW retl_src.actions WITH (security_barrier) AS
      SELECT a.id::text AS id, a.task_id::text AS task_id, a.contact_id::text AS contact_id, a.company_id::text AS company_id,
             a.type, a.description, a.old_status, a.new_status, u.username AS owner, a.is_hidden, a.happened_at,
             a.created_at, a.created_at AS updated_at
        FROM public.actions a
        JOIN public.users u ON u.id = a.owner_user_id
       WHERE a.account_id = ${ACCOUNT}`);
    await q.query(`
      CREATE VIEW retl_src.floors WITH (security_barrier) AS
      SELECT f.public_id AS id, f.project_id::text AS project_id, f.name, f.level, f.position, f.image, f.created_at, f.updated_at
        FROM public.floors f
       WHERE f.account_id = ${ACCOUNT}`);
    await q.query(`
      CREATE VIEW retl_src.units WITH (security_barrier) AS
      SELECT n.public_id AS id, n.project_id::text AS project_id, f.public_id AS floor_id, n.name, n.status, n.bedrooms, n.bath,
             n.sqft, n.price, n.parking, n.orientation, n.model, n.on_hold_expires_at, n.created_at, n.updated_at
        FROM public.units n
        JOIN public.floors f ON f.id = n.floor_id
       WHERE n.account_id = ${ACCOUNT}`);
    await q.query(`
      CREATE VIEW retl_src.leads WITH (security_barrier) AS
      SELECT l.public_id AS id, l.project_id::text AS project_id, n.public_id AS unit_id, l.name, l.email, l.phone, l.message,
             l.created_at, l.created_at AS updated_at
        FROM public.leads l
        LEFT JOIN public.units n ON n.id = l.unit_id
       WHERE l.account_id = ${ACCOUNT}`);
    // the sources' reader role reads them as it reads the first models (it exists where the first migration could
    // create it: run as a superuser)
    await q.query(`
      DO $do$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${RETL_READER_ROLE}') THEN
          GRANT SELECT ON retl_src.actions, retl_src.floors, retl_src.units, retl_src.leads TO ${RETL_READER_ROLE};
        END IF;
      END
      $do$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW retl_src.leads, retl_src.units, retl_src.floors, retl_src.actions`);
  }
}
