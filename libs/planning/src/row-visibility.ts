import { type Principal } from '#identity';
import { companyKey } from './companies.repository.js';

/** Which clients' rows a request may see: all of them, or those whose (trimmed, lower-cased) name is listed. */
export type ClientScope = { all: true } | { all: false; keys: Set<string> };

export interface RequestedScope {
  /** A role to preview (already validated as one of the five). */
  role?: string;
  /** Client names to narrow to. */
  assignedClients?: string[];
}

const ALL: ClientScope = { all: true };

function only(names: string[]): ClientScope {
  return { all: false, keys: new Set(names.map(companyKey)) };
}

function intersect(a: ClientScope, b: ClientScope): ClientScope {
  if (a.all) return b;
  if (b.all) return a;
  return { all: false, keys: new Set([...a.keys].filter((k) => b.keys.has(k))) };
}

/**
 * Rows = CallerBound ∩ RequestBound. The caller's own role and clients always bound what it sees;
 * the request's parameters only narrow (an advisor asking role=admin still sees only its own clients).
 */
export function clientScope(caller: Principal, requested: RequestedScope = {}): ClientScope {
  const callerBound = caller.role === 'admin' ? ALL : only(caller.assignedClients);
  let requestBound: ClientScope;
  if (requested.assignedClients !== undefined) requestBound = only(requested.assignedClients);
  else if (requested.role === undefined || requested.role === 'admin') requestBound = ALL;
  else requestBound = only(caller.assignedClients);
  return intersect(callerBound, requestBound);
}

export function inScope(scope: ClientScope, clientName: string): boolean {
  return scope.all || scope.keys.has(companyKey(clientName));
}

/** May this caller write records for that company? Admins: any; others: their assigned clients. */
export function canWriteFor(caller: Principal, companyName: string): boolean {
  return inScope(clientScope(caller), companyName);
}
