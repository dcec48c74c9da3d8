/** A page of a list: `limit` 0 asks for the count only. */
export interface Page {
  offset: number;
  limit: number;
}

export interface Paged<T> {
  total: number;
  items: T[];
}

/** Lists are read as one query with `count(*) OVER ()`; a page past the end has no row to carry it. */
export async function paged<R extends { total_count: string | number }, T>(
  page: Page,
  rows: (limit: number, offset: number) => Promise<R[]>,
  count: () => Promise<number>,
  map: (rows: R[]) => T[] | Promise<T[]>,
): Promise<Paged<T>> {
  if (page.limit === 0) return { total: await count(), items: [] };
  const found = await rows(page.limit, page.offset);
  if (found.length === 0) return { total: page.offset === 0 ? 0 : await count(), items: [] };
  return { total: Number(found[0].total_count), items: await map(found) };
}
