import ExcelJS from 'exceljs';
import { IMPORT_LIMITS, type ImportIssue, parseCsv, parseXlsx, SheetImportError } from './sheet-import.js';

const options = { clientColumn: 'Client Name' };
const csv = (text: string) => parseCsv(Buffer.from(text), options);

function issuesOf(run: () => unknown): ImportIssue[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SheetImportError);
    return (error as SheetImportError).issues;
  }
  throw new Error('expected a SheetImportError');
}

async function xlsxIssuesOf(run: () => Promise<unknown>): Promise<ImportIssue[]> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SheetImportError);
  return (error as SheetImportError).issues;
}

describe('parseCsv', () => {
  it('types the spec example and marks a column with an empty cell nullable', () => {
    const sheet = csv(
      'Client Name,Plan Assets,Participants,Active,Renewal Date\n' +
        'Acme Corp,"$1,250,000.50",120,true,2025-03-14\n' +
        'Globex,980000,85,FALSE,03/01/2026\n' +
        'Initech,,40,True,2025-12-31\n',
    );
    expect(sheet.columns).toEqual([
      { name: 'Client Name', type: 'text', nullable: false },
      { name: 'Plan Assets', type: 'numeric', nullable: true },
      { name: 'Participants', type: 'integer', nullable: false },
      { name: 'Active', type: 'boolean', nullable: false },
      { name: 'Renewal Date', type: 'date', nullable: false },
    ]);
    expect(sheet.rows).toEqual([
      ['Acme Corp', 1250000.5, 120, true, '2025-03-14'],
      ['Globex', 980000, 85, false, '2026-03-01'],
      ['Initech', null, 40, true, '2025-12-31'],
    ]);
  });

  it('drops a BOM, trims the header and cells, accepts CRLF and skips blank lines', () => {
    const sheet = csv('\uFEFF Client Name , Count\r\n\r\n  Acme  , 7 \r\n , \r\nBeta,8\r\n');
    expect(sheet.columns.map((c) => c.name)).toEqual(['Client Name', 'Count']);
    expect(sheet.rows).toEqual([
      ['Acme', 7],
      ['Beta', 8],
    ]);
  });

  it('keeps quoted commas, newlines and doubled quotes inside a cell', () => {
    const sheet = csv('Client Name,Note\n"Acme, Inc.","line 1\nline 2"\n"Say ""hi""",x\n');
    expect(sheet.rows).toEqual([
      ['Acme, Inc.', 'line 1\nline 2'],
      ['Say "hi"', 'x'],
    ]);
  });

  it('fills a short row with empty cells', () => {
    const sheet = csv('Client Name,A,B\nAcme,1\nBeta,2,x\n');
    expect(sheet.rows).toEqual([
      ['Acme', 1, null],
      ['Beta', 2, 'x'],
    ]);
    expect(sheet.columns[2]).toEqual({ name: 'B', type: 'text', nullable: true });
  });

  it('accepts a header without data rows and a 128-character column name', () => {
    const long = 'é'.repeat(IMPORT_LIMITS.maxHeaderLength);
    expect(csv(`Client Name,${long}\n`)).toEqual({
      columns: [
        { name: 'Client Name', type: 'text', nullable: false },
        { name: long, type: 'text', nullable: false },
      ],
      rows: [],
    });
  });

  describe('type inference', () => {
    it.each([
      ['integers', ['12', '-3', '0', '  42 '], 'integer', [12, -3, 0, 42]],
      ['the largest safe integer', ['9007199254740991'], 'integer', [9007199254740991]],
      ['integers mixed with decimals', ['12', '12.5'], 'numeric', [12, 12.5]],
      ['dollars with thousands separators', ['$1,250,000.50', '-$1,000', '.5'], 'numeric', [1250000.5, -1000, 0.5]],
      ['15 significant digits', ['123456789012.345'], 'numeric', [123456789012.345]],
      ['16 significant digits', ['1234567890.123456'], 'text', ['1234567890.123456']],
      ['an unsafe integer (16 significant digits)', ['9007199254740993'], 'text', ['9007199254740993']],
      ['misplaced thousands separators', ['1,23'], 'text', ['1,23']],
      ['booleans in any case', ['TRUE', 'false', 'True'], 'boolean', [true, false, true]],
      ['ISO and US dates', ['2025-02-28', '02/29/2024', '3/1/2025'], 'date', ['2025-02-28', '2024-02-29', '2025-03-01']],
      ['February 30th', ['2025-01-31', '2025-02-30'], 'text', ['2025-01-31', '2025-02-30']],
      ['February 29th of a common year', ['02/29/2025'], 'text', ['02/29/2025']],
      ['month 13', ['13/01/2025'], 'text', ['13/01/2025']],
      ['numbers mixed with booleans', ['1', 'true'], 'text', ['1', 'true']],
      ['empty cells only', ['', ' '], 'text', [null, null]],
      // identifiers: a ZIP code, a plan or account number keeps its zeros, and so does every value of its column
      ['ZIP codes with leading zeros', ['02134', '10001'], 'text', ['02134', '10001']],
      ['a column that mixes one leading zero in', ['1', '2', '007'], 'text', ['1', '2', '007']],
      ['a 16-digit account number with a leading zero', ['0900719925474099'], 'text', ['0900719925474099']],
      ['a negative or dollar amount with a leading zero', ['-01', '$05.50'], 'text', ['-01', '$05.50']],
      ['zero itself and decimals below one', ['0', '0.5', '-0.25', '$0.99'], 'numeric', [0, 0.5, -0.25, 0.99]],
    ])('%s', (_label, cells, type, values) => {
      const body = cells.map((cell, i) => `c${i},"${cell}"`).join('\n');
      const sheet = csv(`Client Name,Value\n${body}\n`);
      expect(sheet.columns[1].type).toBe(type);
      expect(sheet.rows.map((row) => row[1])).toEqual(values);
    });
  });

  describe('errors', () => {
    const header = (n: number) => ['Client Name', ...Array.from({ length: n - 1 }, (_, i) => `C${i}`)].join(',');
    it.each<[string, string | Buffer, ImportIssue]>([
      ['an empty body', '', { field: 'body', issue: 'is empty' }],
      ['a BOM only', '\uFEFF', { field: 'body', issue: 'is empty' }],
      ['blank lines only (no header)', '\n  \n,\n', { field: 'header', issue: 'is missing (the file has only blank rows)' }],
      ['a blank column name', 'Client Name, ,X\n', { field: 'column 2', issue: 'has a blank header' }],
      ['a trailing blank column name', 'Client Name,X,\n', { field: 'column 3', issue: 'has a blank header' }],
      [
        'a duplicate column name',
        'Client Name,Amount,AMOUNT\n',
        { field: 'column "AMOUNT"', issue: 'duplicates column 2 "Amount" (names are compared case-insensitively)' },
      ],
      ['a too long column name', `Client Name,${'x'.repeat(129)}\n`, { field: 'column 2', issue: 'header is longer than 128 characters' }],
      ['a missing client column', 'Name,Amount\nAcme,1\n', { field: 'header', issue: 'missing client column "Client Name"' }],
      [
        'a client column in another case',
        'client name,Amount\n',
        { field: 'header', issue: 'missing client column "Client Name" (found "client name"; the name must match exactly)' },
      ],
      ['a ragged row', 'Client Name,A\nAcme,1,2\n', { field: 'row 2', issue: 'has 3 cells, the header has 2' }],
      // Blank lines are counted, so the row number is the one a spreadsheet shows.
      [
        'a ragged row after a blank line',
        'Client Name,A\n\nAcme,1\nBeta,1,2\n',
        { field: 'row 4', issue: 'has 3 cells, the header has 2' },
      ],
      [
        'invalid UTF-8',
        Buffer.concat([Buffer.from('Client Name\nAc'), Buffer.from([0xc3, 0x28]), Buffer.from('me\n')]),
        { field: 'body', issue: 'is not valid UTF-8 (first bad byte on line 2)' },
      ],
      [
        'a Latin-1 file',
        Buffer.from('Client Name\nCaf\xe9\n', 'latin1'),
        { field: 'body', issue: 'is not valid UTF-8 (first bad byte on line 2)' },
      ],
      ['201 columns', `${header(201)}\n`, { field: 'header', issue: 'has 201 columns, the limit is 200' }],
      ['100,001 data rows', `Client Name\n${'a\n'.repeat(100_001)}`, { field: 'body', issue: 'has 100001 data rows, the limit is 100000' }],
      ['an unclosed quote', 'Client Name,A\nAcme,"1\n', { field: 'row 2', issue: 'has a quote that is never closed' }],
      [
        'a quote inside an unquoted cell',
        'Client Name,A\nAcme,1\nBeta,5" pipe\n',
        { field: 'row 3', issue: 'has a quote inside an unquoted cell (quote the whole cell and double the quotes inside)' },
      ],
      [
        'text after a closing quote',
        'Client Name,A\n"Acme"x,1\n',
        { field: 'row 2', issue: 'has characters after the closing quote of a cell' },
      ],
    ])('rejects %s', (_label, input, expected) => {
      expect(issuesOf(() => parseCsv(Buffer.isBuffer(input) ? input : Buffer.from(input), options))).toContainEqual(expected);
    });

    it('accepts exactly 200 columns', () => {
      expect(csv(`${header(200)}\n`).columns).toHaveLength(200);
    });

    it('reports every header problem at once', () => {
      expect(issuesOf(() => csv('Name,,Name\n')).map((i) => i.field)).toEqual(['column 2', 'column "Name"', 'header']);
    });

    it('rejects a body over 50 MB', () => {
      const big = Buffer.alloc(IMPORT_LIMITS.maxBytes + 1, 'a');
      expect(issuesOf(() => parseCsv(big, options))).toEqual([{ field: 'body', issue: 'is larger than 52428800 bytes' }]);
    });

    it('carries the issues in the message', () => {
      expect(() => csv('Name\n')).toThrow('Sheet import failed: header missing client column "Client Name"');
    });
  });
});

describe('parseXlsx', () => {
  async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    build(wb);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  const clients = (wb: ExcelJS.Workbook) => {
    const ws = wb.addWorksheet('Clients');
    ws.addRow(['Client Name', 'Plan Assets', 'Participants', 'Active', 'Renewal Date', 'Doubled', 'Note']);
    ws.addRow([
      { richText: [{ text: 'Acme ' }, { text: 'Corp', font: { bold: true } }] },
      1250000.5,
      120,
      true,
      new Date(Date.UTC(2025, 2, 14)),
      { formula: 'C2*2', result: 240 },
      { text: 'site', hyperlink: 'https://acme.test' },
    ]);
    ws.addRow(['Globex', 0.1 + 0.2, 85, false, new Date(Date.UTC(2026, 2, 1)), { formula: 'C3*2', result: 170 }, null]);
    ws.addRow([]);
    ws.addRow(['Initech', '$1,000', 40, 'TRUE', '12/31/2025', { formula: 'C5*2', result: 80 }, 'plain']);
  };

  it('reads typed cells, formulas by their cached result and rich text, with the CSV rules', async () => {
    const sheet = await parseXlsx(await workbook(clients), options);
    expect(sheet.columns).toEqual([
      { name: 'Client Name', type: 'text', nullable: false },
      { name: 'Plan Assets', type: 'numeric', nullable: false },
      { name: 'Participants', type: 'integer', nullable: false },
      { name: 'Active', type: 'boolean', nullable: false },
      { name: 'Renewal Date', type: 'date', nullable: false },
      { name: 'Doubled', type: 'integer', nullable: false },
      { name: 'Note', type: 'text', nullable: true },
    ]);
    expect(sheet.rows).toEqual([
      ['Acme Corp', 1250000.5, 120, true, '2025-03-14', 240, 'site'],
      // Stored float noise is read at Excel's 15 significant digits.
      ['Globex', 0.3, 85, false, '2026-03-01', 170, null],
      ['Initech', 1000, 40, true, '2025-12-31', 80, 'plain'],
    ]);
  });

  it('keeps the time of a date-time cell, which makes the column text', async () => {
    const buffer = await workbook((wb) => {
      const ws = wb.addWorksheet('S');
      ws.addRow(['Client Name', 'At']);
      ws.addRow(['Acme', new Date(Date.UTC(2025, 2, 14, 13, 45))]);
    });
    const sheet = await parseXlsx(buffer, options);
    expect(sheet.columns[1].type).toBe('text');
    expect(sheet.rows).toEqual([['Acme', '2025-03-14 13:45:00']]);
  });

  it('reads a named worksheet (case-insensitively) instead of the first', async () => {
    const buffer = await workbook((wb) => {
      wb.addWorksheet('Notes').addRow(['nothing here']);
      clients(wb);
    });
    expect((await parseXlsx(buffer, { ...options, worksheet: 'clients' })).rows).toHaveLength(3);
    expect(await xlsxIssuesOf(() => parseXlsx(buffer, options))).toContainEqual({
      field: 'header',
      issue: 'missing client column "Client Name"',
    });
  });

  it('names the available worksheets when the named one is missing', async () => {
    const buffer = await workbook(clients);
    expect(await xlsxIssuesOf(() => parseXlsx(buffer, { ...options, worksheet: 'Plans' }))).toEqual([
      { field: 'worksheet', issue: '"Plans" not found; the workbook has "Clients"' },
    ]);
  });

  it('rejects a formula without a cached result', async () => {
    const buffer = await workbook((wb) => {
      const ws = wb.addWorksheet('S');
      ws.addRow(['Client Name', 'Doubled']);
      ws.addRow(['Acme', { formula: 'A2*2' }]);
    });
    expect(await xlsxIssuesOf(() => parseXlsx(buffer, options))).toEqual([
      { field: 'row 2, column B', issue: 'is a formula without a cached value (open and save the file in Excel)' },
    ]);
  });

  it('applies the header and ragged-row rules with worksheet row numbers', async () => {
    const buffer = await workbook((wb) => {
      const ws = wb.addWorksheet('S');
      ws.addRow(['Client Name', 'A']);
      ws.addRow(['Acme', 1]);
      ws.addRow([]);
      ws.addRow(['Beta', 2, 'extra']);
    });
    expect(await xlsxIssuesOf(() => parseXlsx(buffer, options))).toEqual([{ field: 'row 4', issue: 'has 3 cells, the header has 2' }]);
  });

  it('ignores empty cells after the last value of a row', async () => {
    const buffer = await workbook((wb) => {
      const ws = wb.addWorksheet('S');
      ws.addRow(['Client Name', 'A']);
      ws.addRow(['Acme', 1]);
      ws.getCell('E2').numFmt = '0.00'; // styled but empty, as Excel leaves formatted cells
    });
    expect((await parseXlsx(buffer, options)).rows).toEqual([['Acme', 1]]);
  });

  it.each([
    ['garbage bytes', Buffer.from('this is not a workbook at all'), { field: 'file', issue: 'is not a readable XLSX workbook' }],
    [
      'a zip signature with junk',
      Buffer.from('PK\x03\x04junkjunkjunk', 'latin1'),
      { field: 'file', issue: 'is not a readable XLSX workbook' },
    ],
    ['an empty body', Buffer.alloc(0), { field: 'body', issue: 'is empty' }],
  ])('rejects %s', async (_label, input, expected) => {
    expect(await xlsxIssuesOf(() => parseXlsx(input, options))).toEqual([expected]);
  });

  it('rejects a truncated workbook', async () => {
    const buffer = await workbook(clients);
    expect(await xlsxIssuesOf(() => parseXlsx(buffer.subarray(0, buffer.length / 2), options))).toEqual([
      { field: 'file', issue: 'is not a readable XLSX workbook' },
    ]);
  });

  it('rejects a workbook whose worksheet is empty', async () => {
    const buffer = await workbook((wb) => void wb.addWorksheet('Empty'));
    expect(await xlsxIssuesOf(() => parseXlsx(buffer, options))).toEqual([
      { field: 'header', issue: 'is missing (the file has only blank rows)' },
    ]);
  });
});
