import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BLOB_WRITER, FilesService } from '#files';
import { StoreService } from '#store';
import { type TestApp } from './test-app.js';

/**
 * What the app's file store holds, whichever FILES_STORE it runs: `partial` uploads still being written (the folder's
 * temp files, the database's incomplete blobs) and `total` blobs. On the database it counts the blobs this test
 * process wrote, since test files share one PostgreSQL database.
 */
export async function blobState(t: TestApp): Promise<{ partial: number; total: number }> {
  const files = t.app.get(FilesService);
  if (files.blobs.kind === 'folder') {
    const names = readdirSync(join(t.config.dataDir, 'files'));
    return { partial: names.filter((f) => f.startsWith('.incoming-')).length, total: names.length };
  }
  const [row] = await t.app
    .get(StoreService)
    .query<{ partial: number; total: number }>(
      `SELECT count(*) FILTER (WHERE NOT complete)::int AS partial, count(*)::int AS total FROM file_blobs WHERE writer = $1`,
      [BLOB_WRITER],
    );
  return row;
}
