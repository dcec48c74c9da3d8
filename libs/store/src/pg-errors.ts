import { DomainError, ENTITY_NAMES, type Entity } from '#errors';

/** Table name → the entity its rows are (a message names it by its words, ENTITY_NAMES). */
const ENTITY_OF_TABLE: Partial<Record<string, Entity>> = {
  accounts: 'account',
  users: 'user',
  api_keys: 'api_key',
  companies: 'company',
  sheets: 'spreadsheet',
  sheet_tables: 'spreadsheet_table',
  files: 'file',
  touchpoints: 'touchpoint',
  events: 'event',
  refresh_tokens: 'refresh_token',
  projects: 'project',
  project_members: 'project_member',
  tasks: 'task',
  task_members: 'task_member',
  actions: 'action',
  action_notified: 'notified_user',
  contacts: 'contact',
  xml_sessions: 'session',
  floors: 'floor',
  units: 'unit',
  leads: 'lead',
  groups: 'group',
  enterprises: 'enterprise',
  retl_destinations: 'destination',
  retl_syncs: 'sync',
  retl_runs: 'run',
  retl_run_items: 'run_item',
  retl_dead_letters: 'dead_letter',
};

interface PgErrorLike {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  detail?: string;
  driverError?: PgErrorLike;
}

/** Error codes and messages of a store that cannot be reached: answered as 503, never as bad input. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'the database system is',
];

function pgError(e: unknown): PgErrorLike | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const err = e as PgErrorLike;
  return err.driverError ?? err;
}

export function isStoreUnavailable(e: unknown): boolean {
  const err = pgError(e);
  const code = err?.code ?? '';
  if (CONNECTION_CODES.has(code)) return true;
  // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now.
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  const message = e instanceof Error ? e.message : '';
  return UNAVAILABLE_MESSAGES.some((m) => message.includes(m));
}

/** `uq_users__email` → { table: 'users', field: 'email' } */
function constraintParts(constraint: string | undefined): { table: string; field: string } | undefined {
  const m = /^(?:uq|ck|fk)_([a-z0-9_]+?)__([a-z0-9_]+)$/.exec(constraint ?? '');
  return m ? { table: m[1], field: m[2] } : undefined;
}

/**
 * The store's edge: a PostgreSQL error becomes a domain error naming the field, so that no protocol ever sees a
 * SQLSTATE. Anything unknown is returned unchanged (and becomes a logged 500 upstream).
 */
export function translateStoreError(e: unknown, operation: 'insert' | 'update' | 'delete' = 'insert'): unknown {
  if (e instanceof DomainError) return e;
  if (isStoreUnavailable(e)) return DomainError.unavailable('the store is unavailable', 5);
  const err = pgError(e);
  const parts = constraintParts(err?.constraint);
  const entity = ENTITY_OF_TABLE[parts?.table ?? err?.table ?? ''];
  // A table the vocabulary does not name is named by itself (or, without a constraint to read it from, a record).
  const name = entity ? ENTITY_NAMES[entity] : (parts?.table ?? 'record');
  const field = parts?.field ?? err?.column ?? 'value';
  switch (err?.code) {
    case '23505':
      return DomainError.conflict(entity, field, `${name} with this ${field} already exists`);
    case '23502':
      return DomainError.invalid([{ field, issue: 'required' }], `${field} is required`);
    case '23514':
      return DomainError.invalid([{ field, issue: 'not allowed' }], `${field} is not allowed`);
    case '23503':
      return operation === 'delete'
        ? new DomainError('CONFLICT', `the ${name} is still referenced`, { entity })
        : DomainError.invalid([{ field, issue: 'refers to a record that does not exist' }]);
    case '22P02':
    case '22001':
    case '22003':
    case '22007':
    case '22008':
    case '22P05': // text PostgreSQL cannot store: NUL (\u0000) in text or jsonb,
    case '22021': // and bytes that are not UTF-8
      return DomainError.invalid([{ field, issue: 'malformed value' }]);
    case '57014':
      return DomainError.unavailable('the store took too long to answer', 5);
    default:
      return e;
  }
}
