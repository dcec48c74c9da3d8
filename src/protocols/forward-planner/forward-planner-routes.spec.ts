import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { AuthController } from './auth.controller.js';
import { EventsController } from './events.controller.js';
import { allowedMethods, FORWARD_PLANNER_ROUTES } from './forward-planner-routes.js';
import { ReferenceController } from './reference.controller.js';

/** Every route the controllers declare, as `METHOD /path` with `:param` written `{param}`. */
function declared(): string[] {
  const out: string[] = [];
  for (const controller of [AuthController, EventsController, ReferenceController]) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller));
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as unknown as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const path = String(Reflect.getMetadata(PATH_METADATA, handler));
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      out.push(`${method} /${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}'));
    }
  }
  return out.sort();
}

describe('Forward Planner routes', () => {
  it('lists exactly the routes the controllers declare', () => {
    const table = FORWARD_PLANNER_ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)).sort();
    expect(declared()).toEqual(table);
  });

  it.each([
    ['/api/v2/auth', ['POST']],
    ['/api/v2/auth/', ['POST']],
    ['/API/V2/Auth/Renew', ['POST']],
    ['/api/v2/events/date', ['GET']],
    ['/api/v2/events/123', ['GET']],
    ['/api/v2/events/abc', ['GET']],
    ['/api/v2/events/1/x', []],
    ['/api/v2', []],
    ['/api/v2/nothing', []],
  ])('%s serves %j', (path, methods) => {
    expect(allowedMethods(path)).toEqual(methods);
  });
});
