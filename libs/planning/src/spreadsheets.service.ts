import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { StoreService, type Tx } from '#store';
import { companyKey } from './companies.repository.js';
import { type ClientScope } from './row-visibility.js';
import { type ImportedColumn, type ParsedSheet } from './sheet-import/sheet-import.js';

/** Every account has these sheets; their client column is `Client Name`. */
export const BUILT_IN_SHEETS = ['Client List', 'Fee Schedule', 'Plan Performance'] as const;
export const BUILT_IN_CLIENT_COLUMN = 'Client Name';
export const SHEET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _&()-]{0,99}$/;

export interface Sheet {
  name: string;
  clientColumn: string;
  builtIn: boolean;
}

export interface SheetTable {
  id: string;
  sheetName: string;
  year: number;
  clientColumn: string;
  columns: ImportedColumn[];
  rowCount: number;
  importedAt: Date;
}

export type Cell = string | number | boolean | null;

/** Rows a reader fetches at a time while streaming a sheet-year table. */
const ROW_BATCH = 500;
/** How long a replaced table stays readable for readers that started on it. */
const REPLACED_KEEP = "interval '10 minutes'";

const TABLE_COLUMNS = `id, sheet_name AS "sheetName", year, client_column AS "clientColumn", columns, row_count AS "rowCount",
  imported_at AS "importedAt"`;

/**
 * Spreadsheets by reporting year: a catalogue (built-ins plus the account's registered sheets) and, per sheet and
 * year, one immutable table of typed rows that an import replaces as a whole.
 */
@Injectable()
export class SpreadsheetsService {
  constructor(private readonly store: StoreService) {}

  async catalogue(accountId: string, tx?: Tx): Promise<Sheet[]> {
    const own = await this.store.query<{ name: string; clientColumn: string }>(
      `SELECT name, client_column AS "clientColumn" FROM sheets WHERE account_id = $1 ORDER BY name`,
      [accountId],
      tx,
    );
    return [
      ...BUILT_IN_SHEETS.map((name) => ({ name, clientColumn: BUILT_IN_CLIENT_COLUMN, builtIn: true })),
      ...own.filter((s) => !(BUILT_IN_SHEETS as readonly string[]).includes(s.name)).map((s) => ({ ...s, builtIn: false })),
    ];
  }

  /** Years with a table, ascending, per sheet name. */
  async years(accountId: string): Promise<Map<string, { year: number; rows: number; importedAt: Date }[]>> {
    const rows = await this.store.query<{ sheetName: string; year: number; rows: number; importedAt: Date }>(
      `SELECT sheet_name AS "sheetName", year, row_count AS rows, imported_at AS "importedAt"
         FROM sheet_tables WHERE account_id = $1 AND replaced_at IS NULL ORDER BY sheet_name, year`,
      [accountId],
    );
    const out = new Map<string, { year: number; rows: number; importedAt: Date }[]>();
    for (const r of rows)
      out.set(r.sheetName, [...(out.get(r.sheetName) ?? []), { year: Number(r.year), rows: Number(r.rows), importedAt: r.importedAt }]);
    return out;
  }

  /** The sheet of that exact (case-sensitive) name, or INVALID naming the caller's catalogue. */
  async sheet(accountId: string, name: string): Promise<Sheet> {
    const catalogue = await this.catalogue(accountId);
    const sheet = catalogue.find((s) => s.name === name);
    if (!sheet) {
      throw DomainError.invalid([], `Invalid spreadsheet name '${name}'. Available: ${catalogue.map((s) => s.name).join(', ')}`);
    }
    return sheet;
  }

  /** The current table of a sheet and year, or NOT_FOUND. */
  async table(p: Principal, sheetName: string, year: number): Promise<SheetTable> {
    const sheet = await this.sheet(p.accountId, sheetName);
    const table = await this.currentTable(p.accountId, sheet.name, year);
    if (!table) throw DomainError.notFound('spreadsheet_table', `No data table for '${sheet.name}' in ${year}`);
    return table;
  }

  /** How many of the table's rows the scope lets through. */
  async countRows(table: SheetTable, scope: ClientScope): Promise<number> {
    if (scope.all) return table.rowCount;
    const [{ n }] = await this.store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sheet_rows WHERE table_id = $1 AND client_key = ANY($2::text[])`,
      [table.id, [...scope.keys]],
    );
    return n;
  }

  /** The visible rows in import order, fetched a batch at a time (memory stays flat whatever the table's size). */
  async *rows(table: SheetTable, scope: ClientScope): AsyncGenerator<Cell[][]> {
    let after = 0;
    for (;;) {
      const params: unknown[] = [table.id, after, ROW_BATCH];
      const filter = scope.all ? '' : ' AND client_key = ANY($4::text[])';
      if (!scope.all) params.push([...scope.keys]);
      const batch = await this.store.query<{ row_number: number; cells: Cell[] }>(
        `SELECT row_number, cells FROM sheet_rows WHERE table_id = $1 AND row_number > $2${filter} ORDER BY row_number LIMIT $3`,
        params,
      );
      if (batch.length === 0) return;
      yield batch.map((r) => r.cells);
      if (batch.length < ROW_BATCH) return;
      after = batch[batch.length - 1].row_number;
    }
  }

  /**
   * Replaces (or creates) the table of a sheet and year in one transaction: readers see the old rows or the new,
   * never a mix; a failure leaves the old table as it was. A sheet not in the catalogue is registered with
   * `clientColumn`.
   */
  async import(
    accountId: string,
    sheetName: string,
    year: number,
    parsed: ParsedSheet,
    clientColumn?: string,
  ): Promise<{ table: SheetTable; replaced: boolean }> {
    return this.store.transaction(async (tx) => {
      const catalogue = await this.catalogue(accountId, tx);
      let sheet = catalogue.find((s) => s.name === sheetName);
      if (!sheet) {
        if (!SHEET_NAME_PATTERN.test(sheetName) || sheetName.endsWith(' ')) {
          throw DomainError.invalid([{ field: 'sheet_name', issue: `must match ${SHEET_NAME_PATTERN.source} with no trailing space` }]);
        }
        if (!clientColumn) {
          throw DomainError.invalid([{ field: 'client_column', issue: `required to register the new sheet '${sheetName}'` }]);
        }
        await this.store.write('insert', () =>
          this.store.query(
            `INSERT INTO sheets (account_id, name, client_column) VALUES ($1, $2, $3)`,
            [accountId, sheetName, clientColumn],
            tx,
          ),
        );
        sheet = { name: sheetName, clientColumn, builtIn: false };
      }
      const clientIndex = parsed.columns.findIndex((c) => c.name === sheet.clientColumn);
      if (clientIndex < 0) throw DomainError.invalid([{ field: 'header', issue: `missing client column '${sheet.clientColumn}'` }]);

      const replaced = await this.store.query<{ id: string }>(
        `UPDATE sheet_tables SET replaced_at = clock_timestamp()
          WHERE account_id = $1 AND sheet_name = $2 AND year = $3 AND replaced_at IS NULL RETURNING id`,
        [accountId, sheet.name, year],
        tx,
      );
      const [table] = await this.store.query<SheetTable>(
        `INSERT INTO sheet_tables (account_id, sheet_name, year, client_column, columns, row_count)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING ${TABLE_COLUMNS}`,
        [accountId, sheet.name, year, sheet.clientColumn, JSON.stringify(parsed.columns), parsed.rows.length],
        tx,
      );
      for (let start = 0; start < parsed.rows.length; start += ROW_BATCH) {
        const batch = parsed.rows.slice(start, start + ROW_BATCH);
        await this.store.query(
          `INSERT INTO sheet_rows (table_id, row_number, client_key, cells)
           SELECT $1, $4::int + ord::int, ck, c FROM unnest($2::text[], $3::jsonb[]) WITH ORDINALITY AS r(ck, c, ord)`,
          [table.id, batch.map((r) => companyKey(String(r[clientIndex] ?? ''))), batch.map((r) => JSON.stringify(r)), start],
          tx,
        );
      }
      await this.store.query(
        `DELETE FROM sheet_tables WHERE account_id = $1 AND replaced_at < clock_timestamp() - ${REPLACED_KEEP}`,
        [accountId],
        tx,
      );
      return { table: normalizeTable(table), replaced: replaced.length > 0 };
    });
  }

  /** Removes the current table of a sheet and year; NOT_FOUND if there is none. */
  async deleteTable(accountId: string, sheetName: string, year: number): Promise<void> {
    const [row] = await this.store.query<{ id: string }>(
      `UPDATE sheet_tables SET replaced_at = clock_timestamp()
        WHERE account_id = $1 AND sheet_name = $2 AND year = $3 AND replaced_at IS NULL RETURNING id`,
      [accountId, sheetName, year],
    );
    if (!row) throw DomainError.notFound('spreadsheet_table', `No data table for '${sheetName}' in ${year}`);
  }

  private async currentTable(accountId: string, sheetName: string, year: number): Promise<SheetTable | undefined> {
    const [row] = await this.store.query<SheetTable>(
      `SELECT ${TABLE_COLUMNS} FROM sheet_tables WHERE account_id = $1 AND sheet_name = $2 AND year = $3 AND replaced_at IS NULL`,
      [accountId, sheetName, year],
    );
    return row ? normalizeTable(row) : undefined;
  }
}

function normalizeTable(t: SheetTable): SheetTable {
  return { ...t, year: Number(t.year), rowCount: Number(t.rowCount) };
}
