/** Planfix's `<hostName>` extension and Planpoint's derived hostName share one rule set (docs/planfix.md). */
export const HOST_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const SLUG_MAX = 63;

/** NFKD, ASCII letters and digits kept, lower-cased, other runs → `-`, trimmed, at most 63; may be empty. */
export function slugify(title: string): string {
  return (
    title
      .normalize('NFKD')
      // eslint-disable-next-line no-control-regex -- the range of ASCII itself, control characters included
      .replace(/[^\x00-\x7f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, SLUG_MAX)
      .replace(/-+$/g, '')
  );
}

/** `base`, else `base-2`, `base-3`… (shortened so the suffix fits), the first one not in `taken`. */
export function freeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, SLUG_MAX - suffix.length).replace(/-+$/g, '')}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
