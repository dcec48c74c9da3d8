import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { DestinationsController } from './destinations.controller.js';
import { DlqController } from './dlq.controller.js';
import { ObjectsController } from './objects.controller.js';
import { ReverseEtlAuthGuard } from './reverse-etl-auth.guard.js';
import { allowedMethods, REVERSE_ETL_ROUTES } from './reverse-etl-routes.js';
import { RunsController } from './runs.controller.js';
import { SyncActionsController, SyncsController } from './syncs.controller.js';

const CONTROLLERS = [DestinationsController, ObjectsController, SyncsController, SyncActionsController, RunsController, DlqController];

/** Every route the controllers declare, per mount, as `METHOD /path` with `:param` written `{param}`. */
function declared(mount: string): string[] {
  const out: string[] = [];
  for (const controller of CONTROLLERS) {
    const bases = Reflect.getMetadata(PATH_METADATA, controller) as string[];
    const base = bases.find((b) => b.startsWith(mount.slice(1)) && (mount === '/v1/api/reverse-etl' || !b.startsWith('v1/')))!;
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as unknown as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const path = String(Reflect.getMetadata(PATH_METADATA, handler));
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const full = `/${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
      out.push(`${method} ${full.slice(mount.length)}`);
    }
  }
  return out.sort();
}

describe('reverse-ETL routes', () => {
  it.each(['/api/reverse-etl', '/v1/api/reverse-etl'])('lists exactly the routes the controllers declare under %s', (mount) => {
    const table = REVERSE_ETL_ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)).sort();
    expect(declared(mount)).toEqual(table);
  });

  it('puts every controller behind the key guard (a permission change shows here)', () => {
    for (const controller of CONTROLLERS) expect(Reflect.getMetadata(GUARDS_METADATA, controller)).toEqual([ReverseEtlAuthGuard]);
  });

  it.each([
    ['/api/reverse-etl/syncs', ['GET', 'POST', 'HEAD']],
    ['/v1/api/reverse-etl/syncs/', ['GET', 'POST', 'HEAD']],
    ['/api/reverse-etl/syncs/retl_sync_x', ['GET', 'PUT', 'DELETE', 'HEAD']],
    ['/api/reverse-etl/dlq/stats', ['GET', 'HEAD']],
    ['/api/reverse-etl/dlq/resolve', ['POST']],
    ['/api/reverse-etl/dlq/dlq_x', ['GET', 'HEAD']],
    ['/api/reverse-etl/sync/run', ['POST']],
    ['/api/reverse-etl/syncs/a/b', []],
    ['/api/reverse-etl', []],
    ['/api/runs', []],
    ['/api/dlq/x', []],
  ])('%s serves %j', (path, methods) => {
    expect(allowedMethods(path)).toEqual(methods);
  });
});
