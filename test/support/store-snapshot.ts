import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type StoreService } from '#store';

/**
 * What a refused request must not change: every row that belongs to the given accounts (tables reached from
 * `accounts` through `account_id` or a foreign key chain, found in the catalogue, so a new table is covered without
 * a change here) and every file under the data directory.
 *
 * Left out, because serving a request legitimately touches them whether it is refused or not:
 * - `limit_counters`, `limit_counters_volatile`: rate-limit and quota windows (a refused request is still counted);
 * - `api_keys.last_used_at`: bumped by every authenticated request;
 * - `identity_epoch`: a global counter of credential changes (no account), `retl_query_context`: rows that live only
 *   inside a SQL-source transaction, `schema_migrations`: the schema's history;
 * - `maintenance_claims`: which instance claimed the Pruner's current period (no account);
 * - `gateway_secrets`: the gateway's own secrets (no account, written once).
 * File contents in the store (`file_blobs`, and through it `file_blob_chunks`) are an account's through the file rows
 * that name them (`files.storage_key`, not a foreign key: the folder store's blobs are named the same way).
 */
export const BOOKKEEPING_TABLES = [
  'limit_counters',
  'limit_counters_volatile',
  'identity_epoch',
  'retl_query_context',
  'schema_migrations',
  'maintenance_claims',
  'gateway_secrets',
];
export const BOOKKEEPING_COLUMNS: Record<string, string[]> = { api_keys: ['last_used_at'] };

interface Scope {
  table: string;
  /** SQL condition on alias `t`, `$1` being the accounts' slugs. */
  where: string;
}

async function scopes(store: StoreService): Promise<Scope[]> {
  const columns = await store.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const fks = await store.query<{ t: string; c: string; ft: string; fc: string }>(
    `SELECT kcu.table_name AS t, kcu.column_name AS c, ccu.table_name AS ft, ccu.column_name AS fc
       FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
       JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
      WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'`,
  );
  const tables = [...new Set(columns.map((c) => c.table_name))].sort();
  const has = (t: string, c: string) => columns.some((x) => x.table_name === t && x.column_name === c);
  const where = new Map<string, string>([
    ['accounts', 't.slug = ANY($1)'],
    ['file_blobs', 't.storage_key IN (SELECT f.storage_key FROM files f JOIN accounts a ON a.id = f.account_id WHERE a.slug = ANY($1))'],
  ]);
  for (const t of tables)
    if (t !== 'accounts' && has(t, 'account_id')) where.set(t, 't.account_id IN (SELECT a.id FROM accounts a WHERE a.slug = ANY($1))');
  // Tables without account_id: through a foreign key to a table already scoped (sheet_rows → sheet_tables, ...).
  for (let changed = true; changed;) {
    changed = false;
    for (const t of tables) {
      if (where.has(t) || BOOKKEEPING_TABLES.includes(t)) continue;
      const fk = fks.find((f) => f.t === t && f.ft !== t && where.has(f.ft));
      if (!fk) continue;
      const parent = where.get(fk.ft)!.replace(/\bt\./g, `${fk.ft}_p.`);
      where.set(t, `t.${fk.c} IN (SELECT ${fk.ft}_p.${fk.fc} FROM ${fk.ft} ${fk.ft}_p WHERE ${parent})`);
      changed = true;
    }
  }
  const unscoped = tables.filter((t) => !where.has(t) && !BOOKKEEPING_TABLES.includes(t));
  if (unscoped.length)
    throw new Error(
      `tables the snapshot cannot scope to an account (add them to BOOKKEEPING_TABLES with a reason?): ${unscoped.join(', ')}`,
    );
  return [...where].map(([table, w]) => ({ table, where: w }));
}

export interface Snapshot {
  /** table → "rows:md5 of the rows' JSON" */
  tables: Record<string, string>;
  /** path under DATA_DIR → sha256 */
  files: Record<string, string>;
}

function filesUnder(dir: string, root = dir): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(out, filesUnder(path, root));
    else out[relative(root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

/** Snapshots the accounts' rows (one statement) and the files directory, for a before/after comparison. */
export async function storeSnapshotter(store: StoreService, filesDir: string) {
  const all = await scopes(store);
  const parts = all.map(({ table, where }) => {
    const drop = (BOOKKEEPING_COLUMNS[table] ?? []).map((c) => ` - '${c}'`).join('');
    return `SELECT '${table}' AS name, count(*)::text || ':' || coalesce(md5(string_agg((to_jsonb(t)${drop})::text, '|' ORDER BY (to_jsonb(t)${drop})::text)), '') AS digest FROM ${table} t WHERE ${where}`;
  });
  const sql = parts.join('\nUNION ALL\n');
  return async (slugs: string[]): Promise<Snapshot> => {
    const rows = await store.query<{ name: string; digest: string }>(sql, [slugs]);
    return { tables: Object.fromEntries(rows.map((r) => [r.name, r.digest])), files: filesUnder(filesDir) };
  };
}
