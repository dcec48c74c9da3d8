import { invalidField } from './issues.js';
import { newObjectId } from './object-id.js';

/** A list element as written: an object (`_id` known → update, none → new) or a bare id (kept as is). */
export type ListElementInput<T> = string | (Partial<Omit<T, '_id'>> & { _id?: string });

/** A JSON object patched key by key: absent keeps, `null` removes, anything else replaces. */
export function mergeKeys(current: Record<string, unknown>, patch: Record<string, unknown> | undefined): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/**
 * A JSON list replaced by its input: a known `_id` updates its element, none makes a new one, an unknown one is
 * INVALID; a bare id keeps its element. An element given twice is kept once.
 */
export function mergeList<T extends { _id: string }>(
  current: T[],
  input: ListElementInput<T>[],
  build: (base: T | undefined, patch: Partial<Omit<T, '_id'>>) => Omit<T, '_id'>,
  field: string,
): T[] {
  const byId = new Map(current.map((e) => [e._id, e]));
  const out: T[] = [];
  const seen = new Set<string>();
  for (const element of input) {
    if (typeof element === 'string') {
      const kept = byId.get(element.toLowerCase());
      if (!kept) throw invalidField(`${field} names an unknown _id`, field);
      if (!seen.has(kept._id)) out.push(kept);
      seen.add(kept._id);
      continue;
    }
    const { _id, ...patch } = element;
    let base: T | undefined;
    if (_id !== undefined) {
      base = byId.get(_id.toLowerCase());
      if (!base) throw invalidField(`${field} names an unknown _id`, field);
    }
    const built = { _id: base?._id ?? newObjectId(), ...build(base, patch as Partial<Omit<T, '_id'>>) } as T;
    if (seen.has(built._id)) continue;
    seen.add(built._id);
    out.push(built);
  }
  return out;
}
