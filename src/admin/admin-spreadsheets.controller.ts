import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiQuery } from '@nestjs/swagger';
import busboy from 'busboy';
import { type Request } from 'express';
import { DomainError } from '#errors';
import { AccountsService } from '#identity';
import { IMPORT_LIMITS, parseCsv, parseXlsx, SheetImportError, SpreadsheetsService, type ParsedSheet } from '#planning';
import { AdminApi } from './admin-auth.guard.js';

function parseYearParam(raw: unknown): number {
  const s = typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{4}$/.test(s) || Number(s) < 1900 || Number(s) > 2100) {
    throw DomainError.invalid([{ field: 'year', issue: 'required: an integer from 1900 to 2100' }]);
  }
  return Number(s);
}

/** The uploaded spreadsheet: a CSV body, or the `file` part of a multipart body (.csv or .xlsx), ≤ 50 MB. */
async function receiveSheet(req: Request): Promise<{ bytes: Buffer; kind: 'csv' | 'xlsx' }> {
  const type = req.headers['content-type'] ?? '';
  if (Buffer.isBuffer(req.body)) {
    if (req.body.length === 0) throw DomainError.invalid([{ field: 'body', issue: 'empty: send the CSV as the body' }]);
    return { bytes: req.body, kind: 'csv' };
  }
  if (!/^multipart\/form-data/i.test(type)) {
    throw DomainError.invalid([{ field: 'body', issue: 'send text/csv, or multipart/form-data with a part named file (.csv or .xlsx)' }]);
  }
  return new Promise((resolve, reject) => {
    let found: { chunks: Buffer[]; kind: 'csv' | 'xlsx' } | undefined;
    let tooLarge = false;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: IMPORT_LIMITS.maxBytes, files: 1 } });
    } catch {
      // busboy throws at once on a Content-Type it cannot read (multipart without a boundary)
      return reject(DomainError.malformed('the multipart body cannot be read: no boundary in Content-Type'));
    }
    parser.on('file', (name, stream, info) => {
      const ext = /\.(csv|xlsx)$/i.exec(info.filename ?? '')?.[1]?.toLowerCase() as 'csv' | 'xlsx' | undefined;
      if (name !== 'file' || !ext) return stream.resume();
      const chunks: Buffer[] = [];
      found = { chunks, kind: ext };
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => (tooLarge = true));
    });
    parser.on('close', () => {
      if (tooLarge) return reject(new DomainError('PAYLOAD_TOO_LARGE', 'the spreadsheet exceeds 50 MB'));
      if (!found) return reject(DomainError.invalid([{ field: 'file', issue: 'required: a .csv or .xlsx part named file' }]));
      resolve({ bytes: Buffer.concat(found.chunks), kind: found.kind });
    });
    parser.on('error', () => reject(DomainError.malformed('the multipart body cannot be read')));
    req.pipe(parser);
  });
}

@AdminApi()
@Controller('admin/accounts/:slug/spreadsheets')
export class AdminSpreadsheetsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly sheets: SpreadsheetsService,
  ) {}

  @Post(':sheet_name/import')
  @HttpCode(200)
  @ApiOperation({ summary: 'Load a sheet-year table from CSV or XLSX, replacing the previous one atomically' })
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiQuery({ name: 'year', required: true, schema: { type: 'integer', minimum: 1900, maximum: 2100 } })
  @ApiQuery({ name: 'client_column', required: false, description: 'Required for a sheet not yet in the catalogue' })
  @ApiQuery({ name: 'worksheet', required: false, description: 'XLSX: the worksheet to read (default: the first)' })
  @ApiBody({ schema: { type: 'string', example: 'Client Name,Plan Assets\nAcme Corp,1250000.50\n' } })
  async import(
    @Param('slug') slug: string,
    @Param('sheet_name') sheetName: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
  ) {
    const year = parseYearParam(query.year);
    const account = await this.accounts.get(slug);
    const { bytes, kind } = await receiveSheet(req);
    const catalogue = await this.sheets.catalogue(account.id);
    const clientColumn =
      catalogue.find((s) => s.name === sheetName)?.clientColumn ??
      (typeof query.client_column === 'string' ? query.client_column : undefined);
    if (!clientColumn) throw DomainError.invalid([{ field: 'client_column', issue: `required to register the new sheet '${sheetName}'` }]);
    let parsed: ParsedSheet;
    try {
      parsed =
        kind === 'csv'
          ? parseCsv(bytes, { clientColumn })
          : await parseXlsx(bytes, { clientColumn, worksheet: typeof query.worksheet === 'string' ? query.worksheet : undefined });
    } catch (e) {
      if (e instanceof SheetImportError) throw DomainError.invalid(e.issues, e.message);
      throw e;
    }
    const { table, replaced } = await this.sheets.import(account.id, sheetName, year, parsed, clientColumn);
    return { sheet_name: table.sheetName, year: table.year, rows: table.rowCount, columns: table.columns, replaced };
  }

  @Get()
  @ApiOperation({ summary: "The account's sheets with their years" })
  async list(@Param('slug') slug: string) {
    const account = await this.accounts.get(slug);
    const [catalogue, years] = await Promise.all([this.sheets.catalogue(account.id), this.sheets.years(account.id)]);
    const spreadsheets = catalogue.map((s) => ({
      name: s.name,
      client_column: s.clientColumn,
      built_in: s.builtIn,
      years: (years.get(s.name) ?? []).map((y) => ({ year: y.year, rows: y.rows, imported_at: y.importedAt })),
    }));
    return { spreadsheets, count: spreadsheets.length };
  }

  @Delete(':sheet_name')
  @ApiOperation({ summary: 'Delete the table of a sheet and year' })
  @ApiQuery({ name: 'year', required: true, schema: { type: 'integer' } })
  async remove(@Param('slug') slug: string, @Param('sheet_name') sheetName: string, @Query('year') rawYear: unknown) {
    const year = parseYearParam(rawYear);
    const account = await this.accounts.get(slug);
    await this.sheets.deleteTable(account.id, sheetName, year);
    return { sheet_name: sheetName, year, deleted: true };
  }
}
