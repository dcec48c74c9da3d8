/**
 * Every Planpoint route and its methods (docs/planpoint.md): a known path with another method answers 405 with
 * `Allow`, an unknown path under Planpoint's prefixes 404 `Not found`. Literal segments (`find`, `mine`) win over
 * `{id}`. `public` marks the endpoints embeds call without a credential (CORS, per-IP limit).
 */
export interface PlanpointRoute {
  path: string;
  pattern: RegExp;
  methods: string[];
  public?: string[];
}

const ID = '(?!find$|mine$)[^/]+';
const r = (path: string, pattern: string, methods: string[], publicMethods?: string[]): PlanpointRoute => ({
  path,
  // in any case, as Express routes it
  pattern: new RegExp(`^${pattern}/?$`, 'i'),
  methods,
  public: publicMethods,
});

export const PLANPOINT_ROUTES: PlanpointRoute[] = [
  r('/api/users/login', '/api/users/login', ['POST']),
  r('/api/projects/find', '/api/projects/find', ['POST'], ['POST']),
  r('/api/projects/mine', '/api/projects/mine', ['GET']),
  r('/api/projects', '/api/projects', ['POST']),
  r('/api/projects/{id}', `/api/projects/${ID}`, ['GET', 'PATCH', 'DELETE']),
  r('/api/groups/find', '/api/groups/find', ['POST'], ['POST']),
  r('/api/groups', '/api/groups', ['GET', 'POST']),
  r('/api/groups/{id}', `/api/groups/${ID}`, ['GET', 'PATCH', 'DELETE']),
  r('/api/enterprises/find', '/api/enterprises/find', ['POST'], ['POST']),
  r('/api/enterprises', '/api/enterprises', ['GET', 'POST']),
  r('/api/enterprises/{id}', `/api/enterprises/${ID}`, ['GET', 'PATCH', 'DELETE']),
  r('/api/floors', '/api/floors', ['GET', 'POST']),
  r('/api/floors/{id}', `/api/floors/${ID}`, ['GET', 'PATCH', 'DELETE']),
  r('/api/units/find', '/api/units/find', ['POST'], ['POST']),
  r('/api/units', '/api/units', ['GET', 'POST', 'PATCH']),
  r('/api/units/{id}', `/api/units/${ID}`, ['GET', 'PATCH', 'DELETE']),
  r('/api/leads', '/api/leads', ['GET', 'POST'], ['POST']),
];

export function routeOf(path: string): PlanpointRoute | undefined {
  return PLANPOINT_ROUTES.find((route) => route.pattern.test(path));
}

/** The methods served at a path, HEAD with GET and OPTIONS always (empty: no such path). */
export function allowedMethods(path: string): string[] {
  const route = routeOf(path);
  if (!route) return [];
  return [...route.methods, ...(route.methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'];
}
