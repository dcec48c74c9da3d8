import { type AppConfig } from '#config';
import { type DemoSeed } from './demo-seed.service.js';

/**
 * What a newcomer needs after `npm start`, printed once to stdout (not to the log): the generated admin token and
 * the demo key exist in clear only here and in DATA_DIR/admin-token (mode 0600). The key is printed once, as a shell
 * assignment, and every command below uses `$KEY`. Each line is a working call (the demo e2e test runs them all).
 */
export function startBanner(config: AppConfig, url: string, demo?: DemoSeed): string {
  const store = `${config.store.kind} store${config.store.kind === 'embedded' ? ` in ${config.store.dataDir}` : ''}`;
  const lines = [`Plangate listening on ${url} (${store}, Node.js ${process.version})`];
  if (config.adminTokenGenerated) {
    lines.push('', `Admin token (generated, saved in ${config.dataDir}/admin-token): ${config.adminToken}`);
  }
  if (demo) {
    const today = new Date().toISOString().slice(0, 10);
    const token = `$(curl -s -X POST ${url}/api/v2/auth -d username=${demo.username} -d "password=$KEY" | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')`;
    lines.push(
      '',
      `Demo account '${demo.account}', user '${demo.username}'. Its API key, shown this once (paste this line first):`,
      `  KEY=${demo.key}`,
      '',
      'Then, one call per protocol:',
      `  curl -s ${url}/health`,
      `  curl -s -H "Authorization: Bearer $(cat ${config.dataDir}/admin-token)" ${url}/admin/accounts/${demo.account}   # Admin API`,
      `  curl -s -H "X-API-Key: $KEY" "${url}/api/v1/spreadsheets/Client%20List/data?year=${today.slice(0, 4)}"   # PlanSync`,
      `  curl -s -H "Authorization: Bearer ${token}" "${url}/api/v2/events/date?date=${today.replaceAll('-', '')}"   # Forward Planner (log in, then today's events)`,
      `  curl -s -u "$KEY:$KEY" ${url}/xml/ -d '<request method="task.getList"><account>${demo.account}</account></request>'   # Planfix XML`,
      `  curl -s -H "Authorization: Bearer $KEY" ${url}/api/projects/mine   # Planpoint`,
      `  curl -s ${url}/api/projects/find -H 'Content-Type: application/json' -d '{"namespace":"${demo.account}","hostName":"riverside-tower"}'   # Planpoint public find`,
      `  curl -s -H "Authorization: Bearer $KEY" ${url}/api/reverse-etl/syncs   # reverse ETL (the demo user is an admin, as reverse ETL requires)`,
    );
  }
  lines.push('', `API docs: ${url}/docs`);
  return lines.join('\n') + '\n';
}
