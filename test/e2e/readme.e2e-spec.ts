import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startBuiltGateway, type BuiltGateway } from '../support/built-gateway.js';
import { commandLine, curlLines, freePort, notRun, unexpectedAnswers } from '../support/doc-pages.js';
import { shellScriptOf } from '../support/markdown-blocks.js';
import { createScratchDatabase } from '../support/pg-admin.js';
import { runRecordedShell, type RecordedRun } from '../support/recorded-shell.js';

const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const LINES = README.split('\n');
/** The PostgreSQL server for the README's PostgreSQL destination (CI starts one before the tests). */
const PG_SERVER = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The operator's opt-in the README's reverse-ETL quickstart says its gateway was started with (its receiver and database are on loopback). */
const RETL_ALLOW_HOSTS = /^RETL_ALLOW_HOSTS=(\S+) npm start$/m.exec(README)?.[1];

const CURL_LINES = curlLines(README);

/**
 * README.md cannot drift from the code: its `sh` blocks, run in order with real curl through bash against the built
 * gateway started in an empty folder (the demo data, ./data/admin-token) as a newcomer does, answer no error.
 * The test sets only what a newcomer sets by hand or what needs another address here: `KEY=psk_...` gets the key the
 * start printed; localhost:3000 (the gateway), port 4000 (the README's webhook receiver, started by the README itself)
 * and the PostgreSQL destination's `crm` database become free ports and a scratch database. `npm …` lines are not
 * run (the test started the gateway, with the RETL_ALLOW_HOSTS the reverse-ETL quickstart says; the CLI has its own tests).
 */
describe('README.md quickstarts', () => {
  let gw: BuiltGateway;
  let db: Awaited<ReturnType<typeof createScratchDatabase>>;
  let run: RecordedRun;

  beforeAll(async () => {
    if (!RETL_ALLOW_HOSTS) throw new Error('README.md no longer says which RETL_ALLOW_HOSTS its reverse-ETL quickstart runs with');
    [gw, db] = await Promise.all([startBuiltGateway({ RETL_ALLOW_HOSTS }), createScratchDatabase(PG_SERVER)]);
    // The README's PostgreSQL destination reads the destination's tables: give it one.
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await c.query('CREATE TABLE contacts (id text PRIMARY KEY, company text, origin text)');
    await c.end();
    const key = /^ {2}KEY=(psk_\S+)$/m.exec(gw.stdout())![1];
    const hookPort = await freePort();
    const script = shellScriptOf(README, (line) => {
      if (/^npm /.test(line)) return '';
      return line
        .replace(/^KEY=psk_\.\.\.(?=\s|$)/, `KEY=${key}`)
        .replaceAll('localhost:3000', `127.0.0.1:${gw.port}`)
        .replaceAll('localhost:4000', `127.0.0.1:${hookPort}`)
        .replaceAll('.listen(4000)', `.listen(${hookPort})`)
        .replaceAll('postgresql://postgres@127.0.0.1:5432/crm', db.url);
    });
    const placeholder = script.split('\n').findIndex((l) => /^\w+=\S*\.\.\.(\s|$)/.test(l));
    if (placeholder >= 0) throw new Error(`README.md:${placeholder + 1} sets a placeholder the test cannot fill: ${LINES[placeholder]}`);
    run = await runRecordedShell(script, { cwd: gw.dir, timeoutMs: 150_000 });
  }, 240_000);
  afterAll(async () => {
    await gw?.stop();
    await db?.drop();
  });

  it('runs every curl command of its shell blocks', () => {
    expect(CURL_LINES.length).toBeGreaterThan(60);
    expect(notRun('README.md', README, run)).toEqual([]);
  });

  it('gets no error answer but where the README says so', () => {
    expect(unexpectedAnswers('README.md', README, run)).toEqual([]);
  });

  it('delivers the reverse-ETL rows to the README receiver and dead-letters the refused one', () => {
    const line = LINES.findIndex((l) => l.startsWith('curl -s localhost:3000/api/reverse-etl/runs/$RUN')) + 1;
    const finished = JSON.parse(run.calls.find((c) => commandLine(CURL_LINES, c.line) === line)!.body) as {
      data: { attributes: Record<string, unknown> };
    };
    expect(finished.data.attributes).toMatchObject({ rows_failed: 1 });
    expect(finished.data.attributes.rows_written).toBeGreaterThanOrEqual(2);
    expect(run.stdout).toContain('"account_company":"Acme"');
  });
});
