import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as events from '../../events/src/events.queries.js';
import * as identity from '../../identity/src/identity.queries.js';
import * as limits from '../../limits/src/limits.queries.js';
import * as projects from '../../projects/src/projects.queries.js';
import * as syncs from '../../syncs/src/syncs.queries.js';

/**
 * Every request pays for these queries: a change to one must show up in review as a change to its committed copy
 * under libs/store/queries/<lib>.<name>.sql.
 */
const MODULES: Record<string, Record<string, unknown>> = { identity, limits, events, projects, syncs };

const entries = Object.entries(MODULES).flatMap(([lib, mod]) =>
  Object.entries(mod)
    .filter(([name]) => name.endsWith('_SQL'))
    .map(([name, sql]) => [`${lib}.${name.replace(/_SQL$/, '').toLowerCase().replace(/_/g, '-')}.sql`, sql as string] as const),
);

describe('hot queries', () => {
  it('covers identity, limits and the event feed', () => {
    expect(entries.map(([file]) => file)).toEqual(
      expect.arrayContaining([
        'identity.authenticate-key.sql',
        'limits.admit.sql',
        'events.events-latest.sql',
        'identity.family-principal.sql',
        'syncs.claim-run.sql',
      ]),
    );
  });

  it.each(entries)('%s matches its committed copy', (file, sql) => {
    expect(sql).toBe(readFileSync(join(__dirname, '../queries', file), 'utf8'));
  });

  it('claims a run without waiting on another instance, and fences every later write on the claim', () => {
    expect(syncs.CLAIM_RUN_SQL).toMatch(/FOR UPDATE SKIP LOCKED/);
    expect(syncs.HEARTBEAT_SQL).toMatch(/claimed_by = \$2 AND attempt = \$3 AND status = 'running'/);
    expect(syncs.FENCE_SQL).toMatch(/claimed_by = \$2 AND attempt = \$3 AND status = 'running'/);
  });

  it('looks keys up by prefix and admits in one upsert', () => {
    expect(identity.AUTHENTICATE_KEY_SQL).toMatch(/WHERE k\.prefix = \$1/);
    expect(limits.ADMIT_SQL).toMatch(/^INSERT INTO limit_counters[\s\S]*ON CONFLICT \(key\) DO UPDATE[\s\S]*RETURNING/);
    // a counter's commit does not wait for the WAL flush (see ADMIT_SQL): set for that transaction only
    expect(limits.ADMIT_SQL).toContain("set_config('synchronous_commit', 'off', true)");
  });
});
