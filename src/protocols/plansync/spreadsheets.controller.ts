import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { type Response } from 'express';
import { CurrentPrincipal, type Principal } from '#identity';
import { clientScope, SpreadsheetsService } from '#planning';
import { PlanSyncApi } from './plansync-auth.guard.js';
import { Issues } from './wire/pydantic-issues.js';
import { parseAssignedClients, parseRole, parseYear } from './wire/plansync-query.js';
import { naiveTimestamp } from './wire/plansync-time.js';

/** Sheet names arrive percent-encoded; Plangate choice: `+` reads as a space (names never contain `+`). */
function sheetNameOf(param: string): string {
  return param.replace(/\+/g, ' ');
}

const YEAR_QUERY = { name: 'year', required: true, schema: { type: 'integer', minimum: 1900, maximum: 2100 } } as const;
const SHEET_PARAM = { name: 'sheet_name', description: 'Exact, case-sensitive, percent-encoded (Client%20List)', example: 'Client List' };

@PlanSyncApi()
@Controller('api/v1/spreadsheets')
export class SpreadsheetsController {
  constructor(private readonly sheets: SpreadsheetsService) {}

  @Get()
  @ApiOperation({ summary: 'The sheet catalogue and the years that have data' })
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        spreadsheets: ['Client List', 'Fee Schedule', 'Plan Performance'],
        count: 3,
        years: { 'Client List': [2024, 2025], 'Fee Schedule': [], 'Plan Performance': [2025] },
      },
    },
  })
  async list(@CurrentPrincipal() p: Principal) {
    const [catalogue, years] = await Promise.all([this.sheets.catalogue(p.accountId), this.sheets.years(p.accountId)]);
    return {
      spreadsheets: catalogue.map((s) => s.name),
      count: catalogue.length,
      years: Object.fromEntries(catalogue.map((s) => [s.name, (years.get(s.name) ?? []).map((y) => y.year)])),
    };
  }

  @Get(':sheet_name/schema')
  @ApiOperation({ summary: "A sheet-year table's columns, in header order" })
  @ApiParam(SHEET_PARAM)
  @ApiQuery(YEAR_QUERY)
  async schema(@CurrentPrincipal() p: Principal, @Param('sheet_name') sheetName: string, @Query() query: Record<string, unknown>) {
    const issues = new Issues();
    const year = parseYear(issues, query);
    issues.throwIfAny();
    const table = await this.sheets.table(p, sheetNameOf(sheetName), year!);
    return {
      sheet_name: table.sheetName,
      year: table.year,
      client_column: table.clientColumn,
      row_count: table.rowCount,
      imported_at: naiveTimestamp(table.importedAt),
      columns: table.columns,
    };
  }

  @Get(':sheet_name/data')
  @ApiOperation({ summary: "A sheet-year table's rows the caller may see (CallerBound ∩ RequestBound), unpaginated, streamed" })
  @ApiParam(SHEET_PARAM)
  @ApiQuery(YEAR_QUERY)
  @ApiQuery({ name: 'role', required: false, enum: ['admin', 'tpa editor', 'recordkeeper', 'advisor', 'plan sponsor'] })
  @ApiQuery({ name: 'assigned_clients', required: false, description: 'URL-encoded JSON array of client names', example: '["Acme Corp"]' })
  async data(
    @CurrentPrincipal() p: Principal,
    @Param('sheet_name') sheetName: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ) {
    const issues = new Issues();
    const year = parseYear(issues, query);
    const role = parseRole(issues, query);
    const assignedClients = parseAssignedClients(issues, query);
    issues.throwIfAny();
    const table = await this.sheets.table(p, sheetNameOf(sheetName), year!);
    const scope = clientScope(p, { role, assignedClients });
    const count = await this.sheets.countRows(table, scope);
    const names = table.columns.map((c) => c.name);

    // Streamed: the head, then each batch of rows as it arrives from the store. The first batch is read before the
    // head, so that a store failing before any row (an outage) still gets the protocol's 503, not a broken response.
    const batches = this.sheets.rows(table, scope)[Symbol.asyncIterator]();
    let next = await batches.next();
    res.status(200).type('application/json; charset=utf-8');
    res.write(`{"sheet_name":${JSON.stringify(table.sheetName)},"year":${table.year},"count":${count},"data":[`);
    let first = true;
    try {
      for (; !next.done; next = await batches.next()) {
        let chunk = '';
        for (const cells of next.value) {
          const row: Record<string, unknown> = {};
          names.forEach((n, i) => (row[n] = cells[i] ?? null));
          chunk += (first ? '' : ',') + JSON.stringify(row);
          first = false;
        }
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
      res.end(']}');
    } catch (e) {
      // The head is out: the only honest signal left is a broken response.
      res.destroy(e as Error);
    }
  }
}
