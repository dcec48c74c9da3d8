import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { DomainError } from '#errors';
import { CurrentPrincipal, type Principal } from '#identity';
import { decodeCursor, DestinationsService, toPage } from '#syncs';
import { ReverseEtlApi } from './reverse-etl-auth.guard.js';
import { RetlQuery } from './wire/retl-query.js';
import { fieldResource, list, objectResource } from './wire/retl-serializers.js';

/** Objects and fields of a destination (docs/reverse-etl.md): by name; fields in column order. */
@ReverseEtlApi()
@Controller(['api/reverse-etl', 'v1/api/reverse-etl'])
export class ObjectsController {
  constructor(private readonly destinations: DestinationsService) {}

  @Get('objects')
  @ApiOperation({ summary: "A destination's objects (filter alias q: case-insensitive substring of name or label)" })
  async objects(@CurrentPrincipal() p: Principal, @Query() query: Record<string, unknown>) {
    const q = new RetlQuery(query);
    const destinationId = q.required('destination_id');
    const filter = q.text('filter', ['q'])?.toLowerCase();
    const page = q.page();
    q.done();
    const f = { destination_id: destinationId, filter: filter ?? null };
    const after = page.after === undefined ? undefined : decodeCursor('objects', f, page.after);
    const { objects } = await this.destinations.objects(p, destinationId!);
    const rows = objects
      .filter((o) => !filter || o.name.toLowerCase().includes(filter) || o.label.toLowerCase().includes(filter))
      .filter((o) => after === undefined || o.name > after)
      .slice(0, page.limit + 1);
    return list(
      toPage('objects', f, rows, page.limit, (o) => o.name),
      objectResource,
    );
  }

  @Get('fields')
  @ApiOperation({ summary: "An object's fields in column order (object_name alias object)" })
  async fields(@CurrentPrincipal() p: Principal, @Query() query: Record<string, unknown>) {
    const q = new RetlQuery(query);
    const destinationId = q.required('destination_id');
    const objectName = q.required('object_name', ['object']);
    const page = q.page();
    q.done();
    const f = { destination_id: destinationId, object_name: objectName };
    const after = page.after === undefined ? -1 : Number(decodeCursor('fields', f, page.after));
    const object = await this.destinations.object(p, destinationId!, objectName!);
    if (!object) throw DomainError.notFound('object', 'no such object');
    const indexed = (object.fields ?? [])
      .map((field, i) => ({ field, i }))
      .filter((x) => x.i > after)
      .slice(0, page.limit + 1);
    const pageOf = toPage('fields', f, indexed, page.limit, (x) => String(x.i));
    return list({ ...pageOf, rows: pageOf.rows.map((x) => x.field) }, fieldResource);
  }
}
