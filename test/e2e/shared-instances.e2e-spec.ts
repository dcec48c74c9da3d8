import { createHash, randomBytes } from 'node:crypto';
import { GatewayProcess, adminCall } from '../../bench/gateway-process.js';
import { provisionAccount, type WorkloadAccount } from '../../bench/workload.js';
import { ensureBuilt } from '../support/built-gateway.js';
import { createScratchDatabase } from '../support/pg-admin.js';
import { ON_POSTGRES } from '../support/test-app.js';

const MB = 1024 * 1024;
const describePg = ON_POSTGRES ? describe : describe.skip;

/** The `<response>` of a Planfix call; the password `x` for session mode (a sid in the request), the key for token mode. */
async function planfix(url: string, key: string, xml: string, password = 'x'): Promise<string> {
  const res = await fetch(`${url}/xml/`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${key}:${password}`).toString('base64')}`, 'Content-Type': 'application/xml' },
    body: xml,
  });
  expect(res.status).toBe(200);
  return res.text();
}

/**
 * Issue 20: two built gateways on one PostgreSQL database with folders of their own and nothing but DATABASE_URL and
 * ADMIN_TOKEN set (no JWT_SECRET, no shared DATA_DIR) are one service: what one stores or issues, the other serves
 * or accepts. Here rather than in the faults suite: it kills nothing, and npm run test:pg runs it on every change;
 * it needs PostgreSQL (the embedded store is one process's).
 */
describePg('two instances sharing only PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createScratchDatabase>>;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let acct: WorkloadAccount;

  beforeAll(async () => {
    ensureBuilt();
    db = await createScratchDatabase(process.env.DATABASE_URL!);
    // JWT_SECRET and FILES_STORE emptied: whatever the test's environment has, these instances use the store's
    const env = { DATABASE_URL: db.url, JWT_SECRET: '', FILES_STORE: '', REDIS_URL: '', LOG_LEVEL: 'warn' };
    a = new GatewayProcess(env, { baseline: false, stderr: 'capture' });
    b = new GatewayProcess(env, { baseline: false, stderr: 'capture' });
    // started together on an empty database: the migrations and the secret are made once, whoever comes first
    await Promise.all([a.start(), b.start()]);
    expect(a.dataDir).not.toBe(b.dataDir);
    acct = await provisionAccount(a.url, { prefix: 'shared', keys: 2, events: 3 });
  }, 120_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  it('serves through one instance, byte for byte, a file uploaded through the other', async () => {
    const bytes = randomBytes(3 * MB + 123);
    const form = new FormData();
    form.append('company_name', 'Acme');
    form.append('document_type', 'Report');
    form.append('file', new Blob([bytes]), 'shared.pdf');
    const up = await fetch(`${a.url}/api/v1/files/upload`, { method: 'POST', headers: { 'X-API-Key': acct.keys[0] }, body: form });
    expect(up.status).toBe(200);
    const down = await fetch(`${b.url}/api/v1/files/shared.pdf`, { headers: { 'X-API-Key': acct.keys[1] } });
    expect(down.status).toBe(200);
    expect(down.headers.get('content-length')).toBe(String(bytes.length));
    expect(down.headers.get('etag')).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
    expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);
    // and deleted through the second, it is gone from the first
    expect((await fetch(`${b.url}/api/v1/files/shared.pdf`, { method: 'DELETE', headers: { 'X-API-Key': acct.keys[1] } })).status).toBe(
      200,
    );
    expect((await fetch(`${a.url}/api/v1/files/shared.pdf`, { headers: { 'X-API-Key': acct.keys[0] } })).status).toBe(404);
  });

  it('accepts on one instance a Forward Planner access token issued by the other', async () => {
    // provisionAccount logged in through `a`
    const here = await fetch(`${b.url}/api/v2/categories`, { headers: { Authorization: `Bearer ${acct.fpToken}` } });
    expect(here.status).toBe(200);
    const login = await fetch(`${b.url}/api/v2/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: acct.username, password: acct.keys[0] }),
    });
    const { token, refreshToken } = (await login.json()) as { token: string; refreshToken: string };
    expect(
      (await fetch(`${a.url}/api/v2/events/latest?date=20300101&time=0000`, { headers: { Authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    // the refresh token rotates on the other instance
    const renewed = await fetch(`${a.url}/api/v2/auth/renew`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    expect(renewed.status).toBe(200);
  });

  it('accepts on one instance a Planpoint token and a Planfix session opened on the other', async () => {
    const password = 'correct-horse-battery-staple';
    await adminCall(a.url, 'PATCH', `/admin/accounts/${acct.slug}/users/${acct.username}`, { password });
    const login = await fetch(`${a.url}/api/users/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: acct.username, password }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    expect(access_token).toMatch(/^eyJ/);
    const mine = await fetch(`${b.url}/api/projects/mine`, { headers: { Authorization: `Bearer ${access_token}` } });
    expect(mine.status).toBe(201);

    const opened = await planfix(
      a.url,
      acct.keys[0],
      `<request method="auth.login"><account>${acct.slug}</account><login>${acct.username}</login><password>${password}</password></request>`,
    );
    const sid = /<sid>([0-9a-f]{32})<\/sid>/.exec(opened)?.[1];
    expect(sid).toBeDefined();
    const listed = await planfix(
      b.url,
      acct.keys[1],
      `<request method="project.getList"><account>${acct.slug}</account><sid>${sid}</sid></request>`,
    );
    expect(listed).toContain('status="ok"');
  });

  it('verifies on one instance the signatures made with a Planfix signing key issued through the other', async () => {
    const { signing_key: signingKey } = (await adminCall(a.url, 'POST', `/admin/accounts/${acct.slug}/planfix/signing-key`)) as {
      signing_key: string;
    };
    expect(signingKey).toMatch(/^[0-9a-f]{32}$/);
    await adminCall(b.url, 'PATCH', `/admin/accounts/${acct.slug}`, { settings: { planfix: { strict_signature: true } } });
    // docs/planfix.md: md5 of the method, the values of the request's children sorted by name, and the key
    const signature = createHash('md5').update(`project.getList${acct.slug}5${signingKey}`).digest('hex');
    const body = (sig: string) =>
      `<request method="project.getList"><account>${acct.slug}</account><pageSize>5</pageSize><signature>${sig}</signature></request>`;
    const key = acct.keys[0];
    expect(await planfix(b.url, key, body(signature), key)).toContain('status="ok"');
    expect(await planfix(a.url, key, body(signature), key)).toContain('status="ok"');
    expect(await planfix(b.url, key, body('0'.repeat(32)), key)).toContain('<code>0006</code>');
  });
});
