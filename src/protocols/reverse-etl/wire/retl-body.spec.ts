import { type DomainError } from '#errors';
import { parseResolveBody, parseRunBody, parseSyncBody, parseToggleBody } from './retl-body.js';

function issuesOf(parse: () => unknown): string[] {
  try {
    parse();
  } catch (e) {
    return (e as DomainError).fields.map((f) => `${f.field}:${f.type}`);
  }
  throw new Error('expected a 422');
}

describe('reverse-ETL bodies', () => {
  it('reads a sync under every listed spelling', () => {
    expect(
      parseSyncBody({
        name: 'n',
        source_query: 'model:files',
        destination_connection_id: 'conn_x',
        object: 'O',
        mappings: [],
        mode: 'insert',
        cursorField: 'updated_at',
      }),
    ).toEqual({
      name: 'n',
      sourceQuery: 'model:files',
      destinationId: 'conn_x',
      objectName: 'O',
      fieldMappings: [],
      syncMode: 'insert',
      schedule: undefined,
      watermarkColumn: 'updated_at',
      enabled: undefined,
    });
    expect(issuesOf(() => parseSyncBody({ sourceQuery: 'a', query: 'b' }))).toEqual(['sourceQuery:duplicate_field']);
    expect(parseSyncBody({ sourceQuery: 'a', query: 'a' }).sourceQuery).toBe('a');
  });

  it('takes syncId or syncIds (collapsed), never both or neither, at most 50', () => {
    expect(parseRunBody({ id: 'retl_sync_a', full_resync: true })).toEqual({ ids: ['retl_sync_a'], fullResync: true });
    expect(parseRunBody({ sync_ids: ['a', 'b', 'a'] })).toEqual({ ids: ['a', 'b'], fullResync: false });
    expect(issuesOf(() => parseRunBody({}))).toEqual(['syncId:invalid_value']);
    expect(issuesOf(() => parseRunBody({ syncId: 'a', syncIds: ['a'] }))).toEqual(['syncId:invalid_value']);
    expect(issuesOf(() => parseRunBody({ syncIds: Array.from({ length: 51 }, (_, i) => `s${i}`) }))).toEqual(['syncIds:too_long']);
    expect(issuesOf(() => parseRunBody({ syncIds: [] }))).toEqual(['syncIds:invalid_value']);
    expect(issuesOf(() => parseRunBody({ syncId: 'a', fullResync: 'yes' }))).toEqual(['fullResync:invalid_value']);
  });

  it('toggles by enabled or state, both required', () => {
    expect(parseToggleBody({ syncId: 's', enabled: false })).toEqual({ id: 's', enabled: false });
    expect(parseToggleBody({ sync_id: 's', state: 'active' })).toEqual({ id: 's', enabled: true });
    expect(issuesOf(() => parseToggleBody({ syncId: 's' }))).toEqual(['enabled:missing']);
    expect(issuesOf(() => parseToggleBody({ enabled: true }))).toEqual(['syncId:missing']);
    expect(issuesOf(() => parseToggleBody({ syncId: 's', state: 'sleepy' }))).toEqual(['enabled:invalid_value']);
    expect(issuesOf(() => parseToggleBody({ syncId: 's', state: 'paused', enabled: true }))).toEqual(['enabled:duplicate_field']);
  });

  it('resolves 1–500 ids with a reason code', () => {
    expect(parseResolveBody({ entry_ids: ['dlq_a'], reason_code: 'manual_push', note: 'done' })).toEqual({
      ids: ['dlq_a'],
      reason: 'manual_push',
      note: 'done',
      replay: false,
    });
    expect(issuesOf(() => parseResolveBody({ ids: [], reason: 'skipped' }))).toEqual(['ids:invalid_value']);
    expect(issuesOf(() => parseResolveBody({ ids: ['a'], reason: 'Fixed!' }))).toEqual(['reason:invalid_value']);
    expect(issuesOf(() => parseResolveBody({ ids: Array.from({ length: 501 }, (_, i) => `d${i}`), reason: 'skipped' }))).toEqual([
      'ids:too_long',
    ]);
    expect(issuesOf(() => parseResolveBody({ ids: ['a'], reason: 'skipped', note: 'x'.repeat(1001) }))).toEqual(['note:too_long']);
  });
});
