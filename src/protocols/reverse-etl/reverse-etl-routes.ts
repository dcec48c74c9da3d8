/**
 * Every reverse-ETL route and its methods, relative to the mount (`/api/reverse-etl` and `/v1/api/reverse-etl`, one
 * trailing slash ignored): a known path with another method answers 405 with `Allow`, an unknown one 404, both
 * before authentication. A test checks this table against the routes the controllers declare.
 */
export const REVERSE_ETL_ROUTES: { path: string; pattern: RegExp; methods: string[] }[] = [
  { path: '/destinations', pattern: /^\/destinations$/, methods: ['GET', 'POST'] },
  { path: '/destinations/{id}', pattern: /^\/destinations\/[^/]+$/, methods: ['GET', 'PUT', 'DELETE'] },
  { path: '/objects', pattern: /^\/objects$/, methods: ['GET'] },
  { path: '/fields', pattern: /^\/fields$/, methods: ['GET'] },
  { path: '/syncs', pattern: /^\/syncs$/, methods: ['GET', 'POST'] },
  { path: '/syncs/{id}', pattern: /^\/syncs\/[^/]+$/, methods: ['GET', 'PUT', 'DELETE'] },
  { path: '/sync/run', pattern: /^\/sync\/run$/, methods: ['POST'] },
  { path: '/sync/toggle', pattern: /^\/sync\/toggle$/, methods: ['POST'] },
  { path: '/runs', pattern: /^\/runs$/, methods: ['GET'] },
  { path: '/runs/{id}', pattern: /^\/runs\/[^/]+$/, methods: ['GET', 'DELETE'] },
  { path: '/dlq', pattern: /^\/dlq$/, methods: ['GET'] },
  { path: '/dlq/stats', pattern: /^\/dlq\/stats$/, methods: ['GET'] },
  { path: '/dlq/resolve', pattern: /^\/dlq\/resolve$/, methods: ['POST'] },
  { path: '/dlq/{id}', pattern: /^\/dlq\/(?!(?:stats|resolve)$)[^/]+$/, methods: ['GET'] },
];

/** `/v1/api/reverse-etl/syncs/` → `/syncs`; undefined outside the mount. */
export const MOUNT = /^(?:\/v1)?\/api\/reverse-etl(\/.*)?$/;

export function routeOf(path: string): string | undefined {
  const m = MOUNT.exec(path);
  if (!m) return undefined;
  return (m[1] ?? '/').replace(/(.)\/$/, '$1');
}

/** The methods served at a path (empty: no such path); HEAD wherever GET. */
export function allowedMethods(path: string): string[] {
  const route = routeOf(path);
  if (route === undefined) return [];
  const methods = REVERSE_ETL_ROUTES.find((r) => r.pattern.test(route))?.methods ?? [];
  return methods.includes('GET') ? [...methods, 'HEAD'] : methods;
}
