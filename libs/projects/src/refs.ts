/** How a Planfix request names one record: its `id`, or its per-account `general` number (which wins when both). */
export interface Ref {
  id?: number;
  general?: number;
}

/** SQL condition and parameter for a Ref on `alias` (`general` wins); `$n` is the parameter's position. */
export function refCondition(alias: string, ref: Ref, n: number, idColumn = 'id'): { sql: string; value: number } {
  return ref.general !== undefined ? { sql: `${alias}.general = $${n}`, value: ref.general } : { sql: `${alias}.${idColumn} = $${n}`, value: ref.id! };
}

/** Ids are bigint and generals int4: anything else (0, negative, too big) names no record. */
export function plausibleRef(ref: Ref): boolean {
  if (ref.general !== undefined) return Number.isInteger(ref.general) && ref.general >= 1 && ref.general <= 2_147_483_647;
  return ref.id !== undefined && Number.isSafeInteger(ref.id) && ref.id >= 1;
}
