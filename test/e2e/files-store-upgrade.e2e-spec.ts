import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesService } from '#files';
import { createAccountWithKey } from '../factories/admin.factory.js';
import { bytesOf, plansync } from '../factories/plansync.factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The upgrade from the folder to the database (README, Running several instances): an instance that starts with
 * FILES_STORE=database copies into the store the contents its folder holds for file rows, checked against their
 * sha256, and removes them from the folder; the files are then served from the database.
 */
describe('file contents moved from DATA_DIR/files into the database at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plangate-upgrade-'));
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const t of apps) await t.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves byte for byte after the restart what was uploaded to the folder, and empties the folder', async () => {
    // on the embedded store the database is in the folder too (on disk, so that the restart finds the rows)
    const before = await startTestApp({ env: { DATA_DIR: dir, FILES_STORE: 'folder' }, embeddedOnDisk: true });
    apps.push(before);
    expect(before.app.get(FilesService).blobs.kind).toBe('folder');
    const acct = await createAccountWithKey(before.app.getHttpServer());
    const bytes = randomBytes(700_001);
    await plansync(before.app.getHttpServer(), acct.key).upload('moved.pdf', bytes).expect(200);
    expect(readdirSync(join(dir, 'files'))).toHaveLength(1);
    await before.app.close();
    apps.pop();

    const after = await startTestApp({ env: { DATA_DIR: dir, FILES_STORE: 'database' }, embeddedOnDisk: true });
    apps.push(after);
    expect(after.app.get(FilesService).blobs.kind).toBe('database');
    expect(readdirSync(join(dir, 'files'))).toEqual([]);
    const api = plansync(after.app.getHttpServer(), acct.key);
    const served = await bytesOf(api.get('/api/v1/files/moved.pdf').expect(200));
    expect(createHash('sha256').update(served).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(served.equals(bytes)).toBe(true);
    expect(existsSync(join(dir, 'files'))).toBe(true);
  });
});
