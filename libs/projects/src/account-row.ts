import { type StoreService, type Tx } from '#store';

/** The column and value that name one record, or undefined when the value cannot name any (malformed, out of range). */
export type RowKey = [column: string, value: unknown] | undefined;

/**
 * The account's row of `select` (whose table is `alias`) with that key, locked when asked: another account's row is
 * not there, like a missing one. Column and alias are the caller's constants, never input.
 */
export async function accountRow<R>(
  store: StoreService,
  select: string,
  alias: string,
  accountId: string,
  key: RowKey,
  tx?: Tx,
  lock = false,
): Promise<R | undefined> {
  if (!key) return undefined;
  const [row] = await store.query<R>(
    `${select} WHERE ${alias}.account_id = $1 AND ${alias}.${key[0]} = $2${lock ? ` FOR UPDATE OF ${alias}` : ''}`,
    [accountId, key[1]],
    tx,
  );
  return row;
}
