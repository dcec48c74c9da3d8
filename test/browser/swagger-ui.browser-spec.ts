import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CHROMIUM = '/usr/bin/chromium';
/** Flags that keep Chromium quiet on a machine without internet, as root, without a GPU. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TAGS = ['admin', 'plansync', 'forward-planner', 'planpoint', 'reverse-etl'];

/** Swagger UI at /docs in a real headless Chromium: what a newcomer opens first. */
describe('Swagger UI (/docs) in Chromium', () => {
  let t: TestApp;
  let url: string;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  const requested: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'plangate-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${url}/docs`, { waitUntil: 'load' });
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  it('renders a section for every protocol tag, with assets served by the gateway itself (no CDN)', async () => {
    for (const tag of TAGS) await page.locator(`h3.opblock-tag[data-tag="${tag}"]`).waitFor({ timeout: 30_000 });
    expect(await page.locator('.info .title').innerText()).toContain('Plangate');
    const foreign = requested.filter((r) => !r.startsWith(url) && !r.startsWith('data:'));
    expect(foreign).toEqual([]);
  });

  it('runs "Try it out" on GET /health and shows 200', async () => {
    const health = page.locator('.opblock-get', { has: page.locator('[data-path="/health"]') }).first();
    await health.locator('.opblock-summary').click();
    await health.locator('button.try-out__btn').click();
    await health.locator('button.execute').click();
    const status = health.locator('.live-responses-table tr.response .response-col_status').first();
    await status.waitFor({ timeout: 30_000 });
    expect((await status.innerText()).trim()).toBe('200');
    expect(await health.locator('.live-responses-table tr.response .response-col_description').first().innerText()).toContain(
      '"status": "healthy"',
    );
  });
});
