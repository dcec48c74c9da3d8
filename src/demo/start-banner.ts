import { type AppConfig } from '#config';
import { type DemoSeed } from './demo-seed.service.js';

/**
 * What a newcomer needs after `npm start`, printed once to stdout (not to the log): the generated admin token and
 * the demo key exist in clear only here and in DATA_DIR/admin-token (mode 0600).
 */
export function startBanner(config: AppConfig, url: string, demo?: DemoSeed): string {
  const lines = [`Plangate listening on ${url} (${config.store.kind} store${config.store.kind === 'embedded' ? ` in ${config.store.dataDir}` : ''})`];
  if (config.adminTokenGenerated) {
    lines.push('', `Admin token (generated, saved in ${config.dataDir}/admin-token): ${config.adminToken}`);
  }
  if (demo) {
    lines.push(
      '',
      `Demo account '${demo.account}', user '${demo.username}', API key (shown once): ${demo.key}`,
      '',
      'Try it:',
      `  curl -s ${url}/health`,
      `  curl -s -H "Authorization: Bearer $(cat ${config.dataDir}/admin-token)" ${url}/admin/accounts/${demo.account}`,
      `  curl -s -H "X-API-Key: ${demo.key}" "${url}/api/v1/spreadsheets/Client%20List/data?year=${new Date().getUTCFullYear()}"   # PlanSync`,
      `  curl -s -X POST ${url}/api/v2/auth -d username=${demo.username} -d password=<the key above>   # Forward Planner: then Bearer <token>`,
    );
  }
  lines.push('', `API docs: ${url}/docs`);
  return lines.join('\n') + '\n';
}
