import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** The file PostgreSQL writes first into a data directory: present once initdb has run. */
const INITIALISED_MARK = 'PG_VERSION';

export function isInitialisedDataDir(dir: string): boolean {
  return existsSync(join(dir, INITIALISED_MARK));
}

/** Starts a data directory that was never initialised (the caller checked) as a copy of a prepared one; false without one. */
export function copyPreparedDataDir(prepared: string, dataDir: string): boolean {
  if (!isInitialisedDataDir(prepared)) return false;
  cpSync(prepared, dataDir, { recursive: true });
  return true;
}
