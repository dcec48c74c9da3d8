import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startBuiltGateway, type BuiltGateway } from '../support/built-gateway.js';
import { commandLine, curlLines, freePort, notRun, unexpectedAnswers } from '../support/doc-pages.js';
import { shellScriptOf } from '../support/markdown-blocks.js';
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
 * and the name of the database the README makes for its PostgreSQL destination become free ports and a name of this
 * run's own (the README's createdb and CREATE TABLE run as written, and the database is dropped after). `npm …` lines are not
 * run (the test started the gateway, with the RETL_ALLOW_HOSTS the reverse-ETL quickstart says; the CLI has its own tests).
 */
describe('README.md quickstarts', () => {
  let gw: BuiltGateway;
  // the README's destination database, under a name of this run's own
  const crm = `plangate_readme_crm_${randomBytes(4).toString('hex')}`;
  let run: RecordedRun;

  beforeAll(async () => {
    if (!RETL_ALLOW_HOSTS) throw new Error('README.md no longer says which RETL_ALLOW_HOSTS its reverse-ETL quickstart runs with');
    gw = await startBuiltGateway({ RETL_ALLOW_HOSTS });
    const key = /^ {2}KEY=(psk_\S+)$/m.exec(gw.stdout())![1];
    const hookPort = await freePort();
    const script = shellScriptOf(README, (line) => {
      if (/^npm /.test(line)) return '';
      return line
        .replace(/^KEY=psk_\.\.\.(?=\s|$)/, `KEY=${key}`)
        .replaceAll('localhost:3000', `127.0.0.1:${gw.port}`)
        .replaceAll('localhost:4000', `127.0.0.1:${hookPort}`)
        .replaceAll('.listen(4000)', `.listen(${hookPort})`)
        .replaceAll('plangate_demo_crm', crm);
    });
    const placeholder = script.split('\n').findIndex((l) => /^\w+=\S*\.\.\.(\s|$)/.test(l));
    if (placeholder >= 0) throw new Error(`README.md:${placeholder + 1} sets a placeholder the test cannot fill: ${LINES[placeholder]}`);
    run = await runRecordedShell(script, { cwd: gw.dir, timeoutMs: 150_000 });
  }, 240_000);
  afterAll(async () => {
    await gw?.stop();
    const c = new Client({ connectionString: PG_SERVER });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${crm} WITH (FORCE)`);
    await c.end();
  });

  it('runs every curl command of its shell blocks', () => {
    expect(CURL_LINES.length).toBeGreaterThan(60);
    expect(notRun('README.md', README, run)).toEqual([]);
  });

  it('gets no error answer but where the README says so', () => {
    expect(unexpectedAnswers('README.md', README, run)).toEqual([]);
  });

  it("makes its PostgreSQL destination's database and table with its own commands", async () => {
    const c = new Client({ connectionString: PG_SERVER.replace(/\/[^/]*$/, `/${crm}`) });
    await c.connect();
    try {
      const { rows } = await c.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'contacts' ORDER BY ordinal_position`,
      );
      expect(rows.map((r: { column_name: string }) => r.column_name)).toEqual(['id', 'company', 'origin']);
    } finally {
      await c.end();
    }
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
