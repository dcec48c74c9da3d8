/**
 * Every PlanSync route and its methods: answers 405 with `Allow` for a known path and a wrong method, 404 for an
 * unknown path. A test checks this table against the routes the controllers declare.
 */
export const PLANSYNC_ROUTES: { path: string; pattern: RegExp; methods: string[] }[] = [
  { path: '/health', pattern: /^\/health\/?$/, methods: ['GET'] },
  { path: '/api/v1/spreadsheets', pattern: /^\/api\/v1\/spreadsheets\/?$/, methods: ['GET'] },
  { path: '/api/v1/spreadsheets/{sheet_name}/schema', pattern: /^\/api\/v1\/spreadsheets\/[^/]+\/schema\/?$/, methods: ['GET'] },
  { path: '/api/v1/spreadsheets/{sheet_name}/data', pattern: /^\/api\/v1\/spreadsheets\/[^/]+\/data\/?$/, methods: ['GET'] },
  { path: '/api/v1/files/upload', pattern: /^\/api\/v1\/files\/upload\/?$/, methods: ['POST'] },
  { path: '/api/v1/files', pattern: /^\/api\/v1\/files\/?$/, methods: ['GET'] },
  { path: '/api/v1/files/{filename}', pattern: /^\/api\/v1\/files\/[^/]+\/?$/, methods: ['GET', 'DELETE'] },
  { path: '/api/v1/touchpoints', pattern: /^\/api\/v1\/touchpoints\/?$/, methods: ['GET', 'POST'] },
  { path: '/api/v1/touchpoints/{touchpoint_id}', pattern: /^\/api\/v1\/touchpoints\/[^/]+\/?$/, methods: ['PUT', 'DELETE'] },
];

/** The methods served at a path (empty: no such path). `files/upload` also matches `files/{filename}`: union. */
export function allowedMethods(path: string): string[] {
  const methods = new Set<string>();
  for (const r of PLANSYNC_ROUTES) if (r.pattern.test(path)) r.methods.forEach((m) => methods.add(m));
  return [...methods];
}
