import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface CliConfig {
  url: string;
  token?: string;
}

/**
 * What the CLI needs to reach the Admin API: PLANGATE_URL (else http://localhost:PORT), ADMIN_TOKEN (else the token
 * the gateway saved under DATA_DIR). Flags given on the command line win over both.
 */
export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  const port = env.PORT && /^\d{1,5}$/.test(env.PORT) ? env.PORT : '3000';
  const url = env.PLANGATE_URL?.trim() || `http://localhost:${port}`;
  let token = env.ADMIN_TOKEN?.trim() || undefined;
  if (!token) {
    const saved = join(resolve(env.DATA_DIR?.trim() || './data'), 'admin-token');
    if (existsSync(saved)) token = readFileSync(saved, 'utf8').trim();
  }
  return { url, token };
}
