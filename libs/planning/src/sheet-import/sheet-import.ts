import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

export type ColumnType = 'text' | 'integer' | 'numeric' | 'boolean' | 'date';
export interface ImportedColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
}
export type ImportedValue = string | number | boolean | null;
export interface ParsedSheet {
  columns: ImportedColumn[];
  rows: ImportedValue[][];
}
export interface ImportIssue {
  field: string;
  issue: string;
}

export class SheetImportError extends Error {
  override readonly name = 'SheetImportError';
  constructor(
    readonly issues: ImportIssue[],
    message = `Sheet import failed: ${issues.map((i) => `${i.field} ${i.issue}`).join('; ')}`,
  ) {
    super(message);
  }
}

export const IMPORT_LIMITS = { maxBytes: 52_428_800, maxRows: 100_000, maxColumns: 200, maxHeaderLength: 128 };

// One bad file can have thousands of ragged rows; the first few are enough to fix it.
const MAX_ISSUES = 20;

/**
 * A raw row: `row` is its 1-based number as a spreadsheet shows it (the header is row 1 when the file starts with
 * it; blank rows are counted but skipped), so an issue's `row N` points at the line a user sees.
 */
interface RawRow {
  row: number;
  cells: string[];
}

export function parseCsv(input: Buffer, options: { clientColumn: string }): ParsedSheet {
  checkSize(input);
  const text = decodeUtf8(input);
  if (text.length === 0) throw new SheetImportError([{ field: 'body', issue: 'is empty' }]);
  let records: string[][];
  try {
    // Ragged rows and blank lines are kept so that we report them and count rows ourselves.
    records = parse(text, { relax_column_count: true, skip_empty_lines: false });
  } catch (error) {
    throw csvError(error);
  }
  return buildSheet(
    records.map((cells, i) => ({ row: i + 1, cells })),
    options.clientColumn,
  );
}

export async function parseXlsx(input: Buffer, options: { clientColumn: string; worksheet?: string }): Promise<ParsedSheet> {
  checkSize(input);
  if (input.length === 0) throw new SheetImportError([{ field: 'body', issue: 'is empty' }]);
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its argument as an ArrayBuffer look-alike; at run time it hands a Node Buffer straight to JSZip.
    await workbook.xlsx.load(input as unknown as Parameters<ExcelJS.Xlsx['load']>[0]);
  } catch {
    // exceljs/JSZip throw plain Errors (or TypeErrors on broken XML) for anything that is not a workbook.
    throw new SheetImportError([{ field: 'file', issue: 'is not a readable XLSX workbook' }]);
  }
  const sheets = workbook.worksheets;
  if (sheets.length === 0) throw new SheetImportError([{ field: 'file', issue: 'has no worksheets' }]);
  const wanted = options.worksheet;
  // Excel treats sheet names case-insensitively, so two sheets can never differ only by case.
  const sheet = wanted === undefined ? sheets[0] : sheets.find((s) => s.name.toLowerCase() === wanted.toLowerCase());
  if (!sheet) {
    const names = sheets.map((s) => `"${s.name}"`).join(', ');
    throw new SheetImportError([{ field: 'worksheet', issue: `"${wanted}" not found; the workbook has ${names}` }]);
  }

  const rows: RawRow[] = [];
  const issues: ImportIssue[] = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) {
      const cell = row.getCell(c);
      // A merged range holds its value in the top-left cell only; the others repeat it.
      const merged = cell.isMerged && cell.master.address !== cell.address;
      const value = merged ? '' : cellText(cell.value);
      if (value === undefined) {
        const column = cell.address.replace(/\d+$/, '');
        issues.push({
          field: `row ${r}, column ${column}`,
          issue: 'is a formula without a cached value (open and save the file in Excel)',
        });
      }
      cells.push(value ?? '');
    }
    // Formatting can stretch a row with empty cells; only cells with content count towards its length.
    while (cells.length > 0 && cells[cells.length - 1].trim() === '') cells.pop();
    rows.push({ row: r, cells });
  }
  if (issues.length > 0) throw new SheetImportError(issues.slice(0, MAX_ISSUES));
  return buildSheet(rows, options.clientColumn);
}

function checkSize(input: Buffer): void {
  if (input.length > IMPORT_LIMITS.maxBytes) {
    throw new SheetImportError([{ field: 'body', issue: `is larger than ${IMPORT_LIMITS.maxBytes} bytes` }]);
  }
}

function decodeUtf8(input: Buffer): string {
  try {
    // The default ignoreBOM: false drops a leading BOM.
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    const before = new TextDecoder('utf-8').decode(input).split('\uFFFD')[0];
    const line = before.split('\n').length;
    throw new SheetImportError([{ field: 'body', issue: `is not valid UTF-8 (first bad byte on line ${line})` }]);
  }
}

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'has a quote that is never closed',
  INVALID_OPENING_QUOTE: 'has a quote inside an unquoted cell (quote the whole cell and double the quotes inside)',
  CSV_INVALID_CLOSING_QUOTE: 'has characters after the closing quote of a cell',
};

function csvError(error: unknown): SheetImportError {
  const e = error as { code?: string; records?: number; message?: string };
  // csv-parse counts the records finished before the bad one; blank lines are records here, so this is the row.
  const field = typeof e.records === 'number' ? `row ${e.records + 1}` : 'body';
  return new SheetImportError([{ field, issue: CSV_ERRORS[e.code ?? ''] ?? `is not valid CSV: ${e.message ?? error}` }]);
}

/** Returns undefined for a formula whose result was never computed, so the caller can report it. */
function cellText(value: ExcelJS.CellValue): string | undefined {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  // Excel shows and computes with 15 significant digits; this turns stored noise like 0.30000000000000004 into 0.3.
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('error' in value) return value.error;
  if ('hyperlink' in value) return cellText(value.text);
  if ('formula' in value || 'sharedFormula' in value) return value.result === undefined ? undefined : cellText(value.result);
  return String(value);
}

// exceljs turns date serials into UTC instants; a time of day is kept so it is not silently dropped (it makes text).
function dateText(date: Date): string {
  const d = new Date(Math.round(date.getTime() / 1000) * 1000);
  const day = d.toISOString().slice(0, 10);
  return d.getTime() % 86_400_000 === 0 ? day : `${day} ${d.toISOString().slice(11, 19)}`;
}

function buildSheet(raw: RawRow[], clientColumn: string): ParsedSheet {
  const nonBlank = raw.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const [headerRow, ...body] = nonBlank;
  if (!headerRow) throw new SheetImportError([{ field: 'header', issue: 'is missing (the file has only blank rows)' }]);
  const names = headerRow.cells.map((c) => c.trim());
  checkHeader(names, clientColumn);
  if (body.length > IMPORT_LIMITS.maxRows) {
    throw new SheetImportError([{ field: 'body', issue: `has ${body.length} data rows, the limit is ${IMPORT_LIMITS.maxRows}` }]);
  }

  const issues: ImportIssue[] = [];
  for (const { row, cells } of body) {
    if (cells.length > names.length && issues.length < MAX_ISSUES) {
      issues.push({ field: `row ${row}`, issue: `has ${cells.length} cells, the header has ${names.length}` });
    }
  }
  if (issues.length > 0) throw new SheetImportError(issues);

  const rows: ImportedValue[][] = body.map(() => []);
  const columns = names.map((name, c): ImportedColumn => {
    const cells = body.map((r) => (r.cells[c] ?? '').trim());
    const type = inferType(cells.filter((v) => v !== ''));
    cells.forEach((v, i) => rows[i].push(v === '' ? null : convert(v, type)));
    return { name, type, nullable: cells.includes('') };
  });
  return { columns, rows };
}

function checkHeader(names: string[], clientColumn: string): void {
  const { maxColumns, maxHeaderLength } = IMPORT_LIMITS;
  if (names.length > maxColumns) {
    throw new SheetImportError([{ field: 'header', issue: `has ${names.length} columns, the limit is ${maxColumns}` }]);
  }
  const issues: ImportIssue[] = [];
  const seen = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    const column = i + 1;
    if (name === '') {
      issues.push({ field: `column ${column}`, issue: 'has a blank header' });
      continue;
    }
    if ([...name].length > maxHeaderLength) {
      issues.push({ field: `column ${column}`, issue: `header is longer than ${maxHeaderLength} characters` });
    }
    const first = seen.get(name.toLowerCase());
    if (first === undefined) seen.set(name.toLowerCase(), column);
    else
      issues.push({
        field: `column "${name}"`,
        issue: `duplicates column ${first} "${names[first - 1]}" (names are compared case-insensitively)`,
      });
  }
  if (!names.includes(clientColumn)) {
    const near = names.find((n) => n.toLowerCase() === clientColumn.toLowerCase());
    issues.push({
      field: 'header',
      issue: `missing client column "${clientColumn}"${near ? ` (found "${near}"; the name must match exactly)` : ''}`,
    });
  }
  if (issues.length > 0) throw new SheetImportError(issues);
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\$?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$/;
const BOOLEAN = /^(?:true|false)$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** A zero before another digit (`02134`, `-07`, `$05.50`): the mark of an identifier, never of an amount. */
const LEADING_ZERO = /^-?\$?0\d/;

// Cells are trimmed and non-empty; a column with no values is text. Numbers of which any has a leading zero are
// identifiers (ZIP codes, plan and account numbers): the column stays text, so that `02134` is not read as 2134.
function inferType(values: string[]): ColumnType {
  if (values.length === 0) return 'text';
  if (values.every((v) => isInteger(v) || isDecimal(v)) && values.some((v) => LEADING_ZERO.test(v))) return 'text';
  if (values.every(isInteger)) return 'integer';
  if (values.every(isDecimal)) return 'numeric';
  if (values.every((v) => BOOLEAN.test(v))) return 'boolean';
  if (values.every((v) => toIsoDate(v) !== undefined)) return 'date';
  return 'text';
}

function isInteger(v: string): boolean {
  return INTEGER.test(v) && Number.isSafeInteger(Number(v));
}

// More than 15 significant digits would not survive a round trip through a double.
function isDecimal(v: string): boolean {
  if (!DECIMAL.test(v) || !/\d/.test(v)) return false;
  const digits = v.replace(/\D/g, '').replace(/^0+/, '').replace(/0+$/, '');
  return digits.length <= 15;
}

function convert(v: string, type: ColumnType): ImportedValue {
  switch (type) {
    case 'integer':
    case 'numeric':
      return Number(v.replace(/[$,]/g, '')) + 0; // + 0 turns -0 into 0
    case 'boolean':
      return v.toLowerCase() === 'true';
    case 'date':
      return toIsoDate(v) ?? v;
    case 'text':
      return v;
  }
}

/** 'YYYY-MM-DD' for a real calendar date written as YYYY-MM-DD or MM/DD/YYYY (M/D/YYYY too), else undefined. */
function toIsoDate(v: string): string | undefined {
  const iso = ISO_DATE.exec(v);
  const us = iso ? undefined : US_DATE.exec(v);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : us ? [us[3], us[1], us[2]] : [];
  if (y === undefined || m === undefined || d === undefined) return undefined;
  const [year, month, day] = [Number(y), Number(m), Number(d)];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (year < 1 || daysInMonth === undefined || day < 1 || day > daysInMonth) return undefined;
  return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}
