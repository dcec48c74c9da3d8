import { DomainError, type FieldIssue } from '#errors';
import { isObject, issue, pick, type DestinationInput, type SyncDraft } from '#syncs';

function invalid(issues: FieldIssue[]): DomainError {
  return DomainError.invalid(issues, `${issues.length} field${issues.length === 1 ? ' is' : 's are'} invalid`);
}

function object(body: unknown): Record<string, unknown> {
  // The transport middleware has already refused non-objects; an absent body reads as {}.
  return isObject(body) ? body : {};
}

const ID_LIST_MAX = 50;
const RESOLVE_MAX = 500;
const REASON = /^[a-z][a-z0-9_]{0,63}$/;

/** `POST /destinations`, `PUT /destinations/{id}` (`type` also names the connector). */
export function parseDestinationBody(body: unknown): DestinationInput {
  const b = object(body);
  const issues: FieldIssue[] = [];
  const input = {
    name: pick(b, 'name', [], issues),
    connector: pick(b, 'connector', ['type'], issues),
    config: pick(b, 'config', [], issues),
  };
  if (issues.length) throw invalid(issues);
  return input;
}

/** A sync's fields under every spelling (docs/reverse-etl.md); values are checked by the service (whole, after a PUT merge). */
export function parseSyncBody(body: unknown): SyncDraft {
  const b = object(body);
  const issues: FieldIssue[] = [];
  const draft: SyncDraft = {
    name: pick(b, 'name', [], issues),
    sourceQuery: pick(b, 'sourceQuery', ['query', 'source'], issues),
    destinationId: pick(b, 'destinationId', ['destination_connection_id', 'destinationConnectionId'], issues),
    objectName: pick(b, 'objectName', ['object'], issues),
    fieldMappings: pick(b, 'fieldMappings', ['mappings'], issues),
    syncMode: pick(b, 'syncMode', ['mode'], issues),
    schedule: pick(b, 'schedule', [], issues),
    watermarkColumn: pick(b, 'watermarkColumn', ['cursorField', 'cursor_field'], issues),
    enabled: pick(b, 'enabled', [], issues),
  };
  if (issues.length) throw invalid(issues);
  return draft;
}

/** `POST /sync/run`: `syncId` or `syncIds` (1–50, duplicates collapsed), never both or neither. */
export function parseRunBody(body: unknown): { ids: string[]; fullResync: boolean } {
  const b = object(body);
  const issues: FieldIssue[] = [];
  const one = pick(b, 'syncId', ['id'], issues);
  const many = pick(b, 'syncIds', ['ids'], issues);
  const full = pick(b, 'fullResync', ['fullRefresh', 'full_refresh'], issues);
  if (issues.length) throw invalid(issues);
  if ((one === undefined || one === null) === (many === undefined || many === null)) {
    throw invalid([issue('syncId', 'invalid_value', 'give syncId or syncIds, not both or neither')]);
  }
  let ids: string[] = [];
  if (one !== undefined && one !== null) {
    if (typeof one !== 'string' || !one) issues.push(issue('syncId', 'invalid_value', 'must be a sync id'));
    else ids = [one];
  } else if (!Array.isArray(many) || many.length === 0 || many.some((x) => typeof x !== 'string' || !x)) {
    issues.push(issue('syncIds', 'invalid_value', `must be a list of 1 to ${ID_LIST_MAX} sync ids`));
  } else if (many.length > ID_LIST_MAX) {
    issues.push(issue('syncIds', 'too_long', `at most ${ID_LIST_MAX} sync ids`));
  } else ids = [...new Set(many as string[])];
  if (full !== undefined && full !== null && typeof full !== 'boolean')
    issues.push(issue('fullResync', 'invalid_value', 'must be true or false'));
  if (issues.length) throw invalid(issues);
  return { ids, fullResync: full === true };
}

/** `POST /sync/toggle`: `syncId` and `enabled` (or `state` enabled|active|disabled|paused), both required. */
export function parseToggleBody(body: unknown): { id: string; enabled: boolean } {
  const b = object(body);
  const issues: FieldIssue[] = [];
  const id = pick(b, 'syncId', ['id'], issues);
  let enabled = pick(b, 'enabled', [], issues);
  const state = pick(b, 'state', [], issues);
  if (issues.length) throw invalid(issues);
  if (typeof id !== 'string' || !id) issues.push(issue('syncId', id === undefined ? 'missing' : 'invalid_value', 'required: a sync id'));
  if (state !== undefined && state !== null) {
    const fromState = state === 'enabled' || state === 'active' ? true : state === 'disabled' || state === 'paused' ? false : undefined;
    if (fromState === undefined) issues.push(issue('enabled', 'invalid_value', 'state must be enabled, active, disabled or paused'));
    else if (enabled !== undefined && enabled !== fromState)
      issues.push(issue('enabled', 'duplicate_field', "'enabled' and 'state' disagree"));
    else enabled = fromState;
  }
  if (typeof enabled !== 'boolean' && !issues.some((i) => i.field === 'enabled')) {
    issues.push(issue('enabled', enabled === undefined ? 'missing' : 'invalid_value', 'required: true or false'));
  }
  if (issues.length) throw invalid(issues);
  return { id: id as string, enabled: enabled as boolean };
}

/** `POST /dlq/resolve`: 1–500 ids, a reason code, an optional note, `replay`. */
export function parseResolveBody(body: unknown): { ids: string[]; reason: string; note: string | null; replay: boolean } {
  const b = object(body);
  const issues: FieldIssue[] = [];
  const ids = pick(b, 'ids', ['entry_ids', 'entryIds'], issues);
  const reason = pick(b, 'reason', ['reason_code', 'reasonCode'], issues);
  const replay = pick(b, 'replay', [], issues);
  const note = pick(b, 'note', [], issues);
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((x) => typeof x !== 'string' || !x || x.length > 64)) {
    issues.push(issue('ids', ids === undefined ? 'missing' : 'invalid_value', `must be a list of 1 to ${RESOLVE_MAX} entry ids`));
  } else if (ids.length > RESOLVE_MAX) issues.push(issue('ids', 'too_long', `at most ${RESOLVE_MAX} entry ids`));
  if (typeof reason !== 'string' || !REASON.test(reason)) {
    issues.push(
      issue(
        'reason',
        reason === undefined ? 'missing' : 'invalid_value',
        `required, matching ${REASON.source} (fixed_upstream, skipped, manual_push …)`,
      ),
    );
  }
  if (replay !== undefined && replay !== null && typeof replay !== 'boolean')
    issues.push(issue('replay', 'invalid_value', 'must be true or false'));
  if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > 1000))
    issues.push(issue('note', 'too_long', 'text of at most 1000 characters'));
  if (issues.length) throw invalid(issues);
  return { ids: ids as string[], reason: reason as string, note: typeof note === 'string' ? note : null, replay: replay === true };
}
