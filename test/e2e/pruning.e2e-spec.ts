import { randomBytes, randomUUID } from 'node:crypto';
import { type Server } from 'node:http';
import { CLAIM_PRUNE_SQL, Pruner, StoreService } from '#store';
import { createAccountWithKey, unique } from '../factories/admin.factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

jest.setTimeout(120_000);

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

/**
 * Pruning (#store's Pruner, the tasks of #identity and #syncs): rows past retention go, rows within it stay, in
 * batches; one instance a period claims the pass. Retention here: sessions 7 days, run history 30 days.
 */
describe('pruning', () => {
  let t: TestApp;
  let server: Server;
  let store: StoreService;
  let account: { id: string; userId: string; keyId: string };

  beforeAll(async () => {
    t = await startTestApp({ env: { SESSION_RETENTION_DAYS: '7', RETL_HISTORY_RETENTION_DAYS: '30', PRUNE_BATCH_SIZE: '2' } });
    server = t.app.getHttpServer();
    store = t.app.get(StoreService);
    const acct = await createAccountWithKey(server);
    const [row] = await store.query<{ id: string; user_id: string; key_id: string }>(
      `SELECT a.id, u.id AS user_id, k.id AS key_id FROM accounts a JOIN users u ON u.account_id = a.id JOIN api_keys k ON k.user_id = u.id
        WHERE a.slug = $1`,
      [acct.slug],
    );
    account = { id: row.id, userId: row.user_id, keyId: row.key_id };
  });
  afterAll(() => t.close());

  async function family(created: Date, revoked: Date | null): Promise<string> {
    const [row] = await store.query<{ id: string }>(
      `INSERT INTO refresh_families (account_id, user_id, key_id, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [account.id, account.userId, account.keyId, created, revoked],
    );
    return row.id;
  }
  async function token(familyId: string, expires: Date, replacedBy: string | null = null): Promise<string> {
    const [row] = await store.query<{ id: string }>(
      `INSERT INTO refresh_tokens (family_id, token_sha256, expires_at, replaced_by) VALUES ($1, $2, $3, $4) RETURNING id`,
      [familyId, randomBytes(32), expires, replacedBy],
    );
    return row.id;
  }
  async function xmlSession(expires: Date): Promise<string> {
    const sid = randomBytes(32);
    await store.query(`INSERT INTO xml_sessions (sid_sha256, account_id, user_id, key_id, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      sid,
      account.id,
      account.userId,
      account.keyId,
      expires,
    ]);
    return sid.toString('hex');
  }
  async function left(table: string, column: string, ids: string[]): Promise<string[]> {
    const rows = await store.query<{ id: string }>(
      `SELECT ${column === 'sid_sha256' ? `encode(sid_sha256, 'hex')` : column} AS id FROM ${table}
        WHERE ${column === 'sid_sha256' ? `encode(sid_sha256, 'hex')` : column}::text = ANY($1::text[])`,
      [ids],
    );
    return rows.map((r) => r.id).sort();
  }

  it('deletes ended sessions past retention, in batches, and keeps the rest', async () => {
    // a live family: one spent token past retention, one within it, and its current token
    const live = await family(ago(60), null);
    const current = await token(live, new Date(Date.now() + 20 * DAY));
    const spentLongAgo = await token(live, ago(8), current);
    const spentLately = await token(live, ago(3), current);
    // families revoked past and within retention (an unexpired token of the old one goes with it)
    const revokedLongAgo = await family(ago(40), ago(10));
    const revokedToken = await token(revokedLongAgo, new Date(Date.now() + 5 * DAY));
    const revokedLately = await family(ago(40), ago(2));
    // a family whose every token expired past retention, and one whose last token expired within it
    const dead = await family(ago(50), null);
    await token(dead, ago(9));
    await token(dead, ago(8));
    const dying = await family(ago(50), null);
    await token(dying, ago(6));
    // a family made within retention that has no token yet is left alone
    const fresh = await family(ago(1), null);
    const oldSessions = [await xmlSession(ago(8)), await xmlSession(ago(9)), await xmlSession(ago(30))];
    const keptSessions = [await xmlSession(ago(6)), await xmlSession(new Date(Date.now() + 3_600_000))];

    const deleted = await t.app.get(Pruner).runOnce();

    expect(await left('refresh_tokens', 'id', [current, spentLongAgo, spentLately, revokedToken])).toEqual([current, spentLately].sort());
    expect(await left('refresh_families', 'id', [live, revokedLongAgo, revokedLately, dead, dying, fresh])).toEqual(
      [live, revokedLately, dying, fresh].sort(),
    );
    expect(await left('xml_sessions', 'sid_sha256', [...oldSessions, ...keptSessions])).toEqual([...keptSessions].sort());
    // three expired sessions (at least: other files' rows may be past retention too) in batches of two
    expect(deleted.xml_sessions).toBeGreaterThanOrEqual(3);
    // the replaced token's replacement pointer is cleared, not the row: the kept spent token still names its successor
    const [kept] = await store.query<{ replaced_by: string }>(`SELECT replaced_by FROM refresh_tokens WHERE id = $1`, [spentLately]);
    expect(kept.replaced_by).toBe(current);

    // a second pass finds nothing more of these
    await t.app.get(Pruner).runOnce();
    expect(await left('refresh_families', 'id', [live, revokedLately, dying, fresh])).toHaveLength(4);
  });

  it('deletes finished runs and resolved dead letters past retention; keeps active runs and runs with a dead letter left', async () => {
    const syncId = unique('sync');
    await store.query(
      `INSERT INTO retl_syncs (id, account_id, name, source_query, source_type, object_name, field_mappings, sync_mode, schedule, created_by)
       VALUES ($1, $2, 'prune test', 'model:touchpoints', 'model', 'Touchpoints', '[]', 'upsert', '{"type":"manual"}', 'test')`,
      [syncId, account.id],
    );
    const run = async (status: string, finished: Date | null) => {
      const id = unique('run');
      await store.query(
        `INSERT INTO retl_runs (id, account_id, sync_id, status, trigger, finished_at) VALUES ($1, $2, $3, $4, 'api', $5)`,
        [id, account.id, syncId, status, finished],
      );
      return id;
    };
    const letter = async (runId: string, status: 'open' | 'resolved', resolved: Date | null) => {
      const id = unique('dlq');
      await store.query(
        `INSERT INTO retl_dead_letters (id, account_id, sync_id, run_id, destination_id, object_name, error_code, error_message, row_data, status, resolved_at)
         VALUES ($1, $2, $3, $4, 'd', 'Touchpoints', 'x', 'x', '{}', $5, $6)`,
        [id, account.id, syncId, runId, status, resolved],
      );
      return id;
    };
    const oldSucceeded = await run('succeeded', ago(31));
    const oldFailed = await run('failed', ago(40));
    const oldCanceled = await run('canceled', ago(45));
    const recent = await run('succeeded', ago(29));
    const queued = await run('queued', null);
    const withOpenLetter = await run('failed', ago(60));
    const open = await letter(withOpenLetter, 'open', null);
    const withOldLetter = await run('failed', ago(60));
    const resolvedLongAgo = await letter(withOldLetter, 'resolved', ago(31));
    const withRecentLetter = await run('failed', ago(60));
    const resolvedLately = await letter(withRecentLetter, 'resolved', ago(10));

    await t.app.get(Pruner).runOnce();

    expect(await left('retl_dead_letters', 'id', [open, resolvedLongAgo, resolvedLately])).toEqual([open, resolvedLately].sort());
    expect(
      await left('retl_runs', 'id', [
        oldSucceeded,
        oldFailed,
        oldCanceled,
        recent,
        queued,
        withOpenLetter,
        withOldLetter,
        withRecentLetter,
      ]),
    ).toEqual([recent, queued, withOpenLetter, withRecentLetter].sort());
  });

  it('deletes rate-limit counters ended over a minute ago and keeps the others', async () => {
    const counter = async (table: string, expires: Date) => {
      const key = unique('prune-counter');
      await store.query(`INSERT INTO ${table} (key, state, expires_at) VALUES ($1, '{"w":[]}', $2)`, [key, expires]);
      return key;
    };
    for (const table of ['limit_counters', 'limit_counters_volatile']) {
      const ended = [await counter(table, new Date(Date.now() - 120_000)), await counter(table, ago(2)), await counter(table, ago(1))];
      const kept = [await counter(table, new Date(Date.now() - 5_000)), await counter(table, new Date(Date.now() + 60_000))];
      await t.app.get(Pruner).runOnce();
      expect(await left(table, 'key', [...ended, ...kept])).toEqual([...kept].sort());
    }
  });

  it('one instance a period claims the pass', async () => {
    // as three instances pruning hourly would
    const claim = (instance: string) => store.query(CLAIM_PRUNE_SQL, [instance, 3_600_000]);
    // the period this file's apps would claim starts now (another run may have left a claim in the future)
    await store.query(`DELETE FROM maintenance_claims WHERE name = 'prune'`);
    const answers = await Promise.all([claim(randomUUID()), claim(randomUUID()), claim(randomUUID())]);
    expect(answers.filter((rows) => rows.length === 1)).toHaveLength(1);
    expect((await claim(randomUUID())).length).toBe(0);
    // the Pruner's own offer: the period is taken, so it does not run
    expect(await t.app.get(Pruner).offer()).toBeUndefined();
    await store.query(`UPDATE maintenance_claims SET next_at = now() - interval '1 second' WHERE name = 'prune'`);
    expect(await t.app.get(Pruner).offer()).toEqual(expect.objectContaining({ refresh_tokens: expect.any(Number) }));
  });
});
