import { type RowKey } from './account-row.js';

/** How a request names one numbered record: its `id`, or its per-account `general` number (which wins when both). */
export interface Ref {
  id?: number;
  general?: number;
}

/** The column and value a Ref selects by (`general` wins). */
export function refColumn(ref: Ref): ['general' | 'id', number] {
  return ref.general !== undefined ? ['general', ref.general] : ['id', ref.id!];
}

/** Ids are bigint and generals int4: anything else (0, negative, too big) names no record. */
export function plausibleRef(ref: Ref): boolean {
  if (ref.general !== undefined) return Number.isInteger(ref.general) && ref.general >= 1 && ref.general <= 2_147_483_647;
  return ref.id !== undefined && Number.isSafeInteger(ref.id) && ref.id >= 1;
}

/** The key of the record a Ref names; none for a Ref that can name no record. */
export function refKey(ref: Ref): RowKey {
  return plausibleRef(ref) ? refColumn(ref) : undefined;
}
