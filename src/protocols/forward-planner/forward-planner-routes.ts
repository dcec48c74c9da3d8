/**
 * Every Forward Planner route and its methods (paths match in any case, one trailing slash tolerated): a known path
 * with another method answers 405 with `Allow`, an unknown path 404, both before authentication. A test checks this
 * table against the routes the controllers declare.
 */
export const FORWARD_PLANNER_ROUTES: { path: string; pattern: RegExp; methods: string[] }[] = [
  { path: '/api/v2/auth', pattern: /^\/api\/v2\/auth\/?$/i, methods: ['POST'] },
  { path: '/api/v2/auth/renew', pattern: /^\/api\/v2\/auth\/renew\/?$/i, methods: ['POST'] },
  { path: '/api/v2/events/date', pattern: /^\/api\/v2\/events\/date\/?$/i, methods: ['GET'] },
  { path: '/api/v2/events/between', pattern: /^\/api\/v2\/events\/between\/?$/i, methods: ['GET'] },
  { path: '/api/v2/events/latest', pattern: /^\/api\/v2\/events\/latest\/?$/i, methods: ['GET'] },
  { path: '/api/v2/events/{itemId}', pattern: /^\/api\/v2\/events\/(?!(?:date|between|latest)\/?$)[^/]+\/?$/i, methods: ['GET'] },
  { path: '/api/v2/categories', pattern: /^\/api\/v2\/categories\/?$/i, methods: ['GET'] },
  { path: '/api/v2/eventtypes', pattern: /^\/api\/v2\/eventtypes\/?$/i, methods: ['GET'] },
  { path: '/api/v2/countries', pattern: /^\/api\/v2\/countries\/?$/i, methods: ['GET'] },
];

/** The methods served at a path (empty: no such path). */
export function allowedMethods(path: string): string[] {
  return FORWARD_PLANNER_ROUTES.find((r) => r.pattern.test(path))?.methods ?? [];
}

/** Whether the method is served at the path (HEAD where GET is). */
export function serves(methods: string[], method: string): boolean {
  return methods.includes(method) || (method === 'HEAD' && methods.includes('GET'));
}
