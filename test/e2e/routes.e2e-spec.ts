import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { ROUTE_ADMISSION, type RouteAdmission } from '../../src/pipeline/admission.js';
import { PROTOCOLS } from '../../src/protocols/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PAGE = join(__dirname, '..', '..', 'docs', 'routes.md');

const HEADER = `# Routes

Every route the gateway serves: its protocol (the one whose format answers its errors), method and path, the
credential it asks for, who may call it, and the limits it is counted in. Generated from the controllers and the
admission each guard declares; \`test/e2e/routes.e2e-spec.ts\` fails when this page and the code differ (run it with
\`UPDATE_ROUTES=1\` to rewrite the page, then review the change).

| protocol | method | path | credential | who | limits |
|---|---|---|---|---|---|
`;

const joinPath = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;
const list = (v: string | string[] | undefined) => (Array.isArray(v) ? v : [v ?? '']);

/** The listing from the running app's controllers, sorted by protocol, path and method. */
function routesOf(t: TestApp): string[][] {
  const rows: string[][] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prefixes = list(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const admission = (Reflect.getMetadata(ROUTE_ADMISSION, handler) ?? Reflect.getMetadata(ROUTE_ADMISSION, controller)) as
          RouteAdmission | undefined;
        for (const prefix of prefixes)
          for (const path of list(Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined)) {
            const full = joinPath(prefix, path);
            rows.push([
              PROTOCOLS.of(full).name,
              method,
              full,
              admission?.credential ?? 'none',
              admission?.role ?? 'anyone',
              admission?.limit ?? 'none',
            ]);
          }
      }
    }
  }
  const key = (r: string[]) => `${r[0]} ${r[2]} ${r[1]}`;
  return [...new Map(rows.map((r) => [key(r), r])).values()].sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * The committed listing of every route and what it asks (docs/routes.md): a route added, or a guard's credential,
 * role or limit changed, shows in review as a change to that page.
 */
describe('the route listing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('is docs/routes.md, and every route but /health asks for a credential', () => {
    const rows = routesOf(t);
    const page = HEADER + rows.map((r) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`).join('\n') + '\n';
    if (process.env.UPDATE_ROUTES === '1') writeFileSync(PAGE, page);
    expect(rows.filter((r) => r[3] === 'none').map((r) => `${r[1]} ${r[2]}`)).toEqual(['GET /health']);
    expect(readFileSync(PAGE, 'utf8')).toBe(page);
  });
});
