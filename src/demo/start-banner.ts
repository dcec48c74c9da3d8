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
      `Demo account '${demo.account}', user '${demo.username}', API key (shown once, paste this line into your shell):`,
      `  KEY=${demo.key}`,
      '',
      'Try it:',
      `  curl -s ${url}/health`,
      `  curl -s -H "Authorization: Bearer $(cat ${config.dataDir}/admin-token)" ${url}/admin/accounts/${demo.account}`,
      `  curl -s -u $KEY:$KEY ${url}/xml/ -d '<request method="task.getList"><account>${demo.account}</account></request>'`,
      `  curl -s -H "Authorization: Bearer $KEY" ${url}/api/projects/mine`,
      `  curl -s ${url}/api/projects/find -H 'Content-Type: application/json' -d '{"namespace":"${demo.account}","hostName":"riverside-tower"}'`,
    );
  }
  lines.push('', `API docs: ${url}/docs`);
  return lines.join('\n') + '\n';
}
