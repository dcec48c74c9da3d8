import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { runCli } from '../../src/cli/cli.js';
import { createAccountWithKey, unique } from '../factories/admin.factory.js';
import { startTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

describe('CLI (npm run cli)', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  async function cli(...args: string[]) {
    let out = '';
    let err = '';
    const env = { PLANGATE_URL: url, ADMIN_TOKEN: TEST_ADMIN_TOKEN };
    const code = await runCli(args, { out: (s) => (out += s), err: (s) => (err += s), env, progressAfterMs: 0 });
    return { code, out, err };
  }

  it('creates an account, a user and a key, lists them, and revokes the key', async () => {
    const slug = unique('cli');
    const username = unique('carol');
    expect(await cli('accounts', 'create', slug, '--name', 'CLI Co', '--plan', 'premium')).toMatchObject({
      code: 0,
      out: `created account ${slug} (premium)\n`,
    });
    expect((await cli('accounts', 'list')).out).toContain(`${slug}\tpremium\tactive\tCLI Co`);
    const user = await cli(
      'users',
      'create',
      slug,
      username,
      '--email',
      `${username}@example.com`,
      '--role',
      'advisor',
      '--assigned-clients',
      'Acme, Globex',
    );
    expect(user.code).toBe(0);
    const shown = await cli('--json', 'users', 'list', slug);
    expect(JSON.parse(shown.out).users[0]).toMatchObject({ username, role: 'advisor', assigned_clients: ['Acme', 'Globex'] });

    const created = await cli('keys', 'create', slug, username, 'laptop');
    expect(created.code).toBe(0);
    const key = created.out.split('\n')[0];
    expect(key).toMatch(/^psk_[0-9A-Za-z]{40}$/);
    const listed = await cli('keys', 'list', slug, username);
    expect(listed.out).toContain('laptop\t' + key.slice(0, 12));
    expect(listed.out).not.toContain(key);
    expect(await cli('keys', 'revoke', slug, username, 'laptop')).toMatchObject({ code: 0 });
    expect((await cli('keys', 'list', slug, username)).out).toContain('revoked');
  });

  it('updates settings from JSON and prints machine output with --json', async () => {
    const slug = unique('cli');
    await cli('accounts', 'create', slug, '--name', 'x');
    const res = await cli('--json', 'accounts', 'update', slug, '--settings', '{"plansync":{"requests_per_minute":99}}');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out).settings.plansync.requests_per_minute).toBe(99);
  });

  it('fails with exit 1 and one clear line when the API says no', async () => {
    const slug = unique('cli');
    await cli('accounts', 'create', slug, '--name', 'x');
    const dup = await cli('accounts', 'create', slug, '--name', 'x');
    expect(dup).toMatchObject({ code: 1, out: '' });
    expect(dup.err).toBe(`error: account with this slug already exists (slug: already exists)\n`);
    const missing = await cli('users', 'list', 'no-such-account');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error: account 'no-such-account' not found\n$/);
  });

  it('fails with exit 1 when the token is wrong or the gateway cannot be reached', async () => {
    let err = '';
    const wrong = await runCli(['accounts', 'list'], {
      out: () => {},
      err: (s) => (err += s),
      env: { PLANGATE_URL: url, ADMIN_TOKEN: 'wrong-token-123456' },
    });
    expect(wrong).toBe(1);
    expect(err).toMatch(/admin token/);
    err = '';
    const down = await runCli(['accounts', 'list'], {
      out: () => {},
      err: (s) => (err += s),
      env: { PLANGATE_URL: 'http://127.0.0.1:1', ADMIN_TOKEN: 'x' },
    });
    expect(down).toBe(1);
    expect(err).toMatch(/cannot reach/);
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli('accounts', 'create')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('accounts', 'create', 'x', '--name', 'y', '--plan', 'gold')).code).toBe(2);
    expect((await cli('accounts', 'update', 'x', '--settings', '{nope')).code).toBe(2);
  });

  describe('import-events', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plangate-cli-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, content: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    };
    const events = (n: number, from = 1) =>
      Array.from({ length: n }, (_, i) => ({ itemId: from + i, summary: `Event ${from + i}`, startDate: '2030-01-01', extra: 1 }));

    it('sends a file in calls of 5,000 with progress, and sums the answers', async () => {
      const slug = unique('cli');
      await cli('accounts', 'create', slug, '--name', 'x');
      const path = file('year.json', events(12_001));
      const first = await cli('import-events', slug, path);
      expect(first.code).toBe(0);
      expect(first.out).toBe(`imported 12001 events into ${slug}: 12001 inserted, 0 updated, 0 unchanged\nignored fields: extra\n`);
      expect(first.err).toMatch(/^uploading: 0% /);
      expect(first.err).toMatch(/uploading: 100% \(\d+ of \d+ KiB\)\n$/);
      const again = await cli('--json', 'import-events', slug, path);
      expect(JSON.parse(again.out)).toEqual({ inserted: 0, updated: 0, unchanged: 12001, ignored_fields: ['extra'] });
    });

    it('fails with exit 1 naming the events of a refused call and what was imported before it', async () => {
      const slug = unique('cli');
      await cli('accounts', 'create', slug, '--name', 'x');
      const bad = [...events(5000), { itemId: 9_999_999, startDate: 'never' }];
      const res = await cli('import-events', slug, file('bad.json', bad));
      expect(res.code).toBe(1);
      expect(res.err).toMatch(/\nerror: events 5001-5001: .*\(.*\[0\]\.startDate: .*\) \(events 1-5000 were imported\)\n$/);
      expect((await cli('import-events', slug, file('obj.json', { itemId: 1 }))).err).toMatch(/must hold a JSON array of events/);
      expect((await cli('import-events', slug, file('broken.json', '[{'))).code).toBe(1);
      expect((await cli('import-events', slug, join(dir, 'missing.json'))).err).toMatch(/^error: cannot read/);
      expect((await cli('import-events', slug)).code).toBe(2);
    });
  });
});

describe('CLI import-sheet', () => {
  let t: TestApp;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'plangate-cli-'));
  });
  afterAll(() => t.close());

  async function cli(...args: string[]) {
    let out = '';
    let err = '';
    const code = await runCli(args, {
      out: (s) => (out += s),
      err: (s) => (err += s),
      env: { PLANGATE_URL: url, ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    });
    return { code, out, err };
  }

  it('loads a CSV and an XLSX file into sheet-year tables that PlanSync serves', async () => {
    const a = await createAccountWithKey(t.app.getHttpServer());
    const csv = join(dir, 'clients.csv');
    writeFileSync(csv, 'Client Name,Participants\nAcme Corp,120\nBeta LLC,15\n');
    expect(await cli('import-sheet', a.slug, 'Client List', '2025', csv)).toMatchObject({
      code: 0,
      out: "imported 2 rows into 'Client List' 2025\n",
    });

    const workbook = new ExcelJS.Workbook();
    const ws = workbook.addWorksheet('Fees');
    ws.addRow(['Client', 'Fee']);
    ws.addRow(['Acme Corp', 10.5]);
    const xlsx = join(dir, 'fees.xlsx');
    await workbook.xlsx.writeFile(xlsx);
    const res = await cli('--json', 'import-sheet', a.slug, 'Custom Fees', '2024', xlsx, '--client-column', 'Client');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({
      sheet_name: 'Custom Fees',
      year: 2024,
      rows: 1,
      columns: [
        { name: 'Client', type: 'text' },
        { name: 'Fee', type: 'numeric' },
      ],
    });

    const data = await request(t.app.getHttpServer())
      .get('/api/v1/spreadsheets/Custom%20Fees/data?year=2024')
      .set('X-API-Key', a.key)
      .expect(200);
    expect(data.body.data).toEqual([{ Client: 'Acme Corp', Fee: 10.5 }]);
  });

  it('fails with one clear line for a bad file, and exit 2 for a wrong extension', async () => {
    const a = await createAccountWithKey(t.app.getHttpServer());
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'Name,Participants\nAcme Corp,1\n');
    const bad = await cli('import-sheet', a.slug, 'Client List', '2025', csv);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^error: .*Client Name.*\n$/);
    expect((await cli('import-sheet', a.slug, 'Client List', '2025', join(dir, 'x.txt'))).code).toBe(2);
    expect((await cli('import-sheet', a.slug, 'Client List', '2025', join(dir, 'missing.csv'))).code).toBe(1);
  });
});
