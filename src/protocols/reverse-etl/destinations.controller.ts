import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { type Response } from 'express';
import { CurrentPrincipal, type Principal } from '#identity';
import { CONNECTORS, DestinationsService } from '#syncs';
import { ReverseEtlApi } from './reverse-etl-auth.guard.js';
import { parseDestinationBody } from './wire/retl-body.js';
import { RetlQuery } from './wire/retl-query.js';
import { destinationResource, list, resource } from './wire/retl-serializers.js';
import { ApiJsonBody } from '../../docs/api-docs.js';

@ReverseEtlApi()
@Controller(['api/reverse-etl/destinations', 'v1/api/reverse-etl/destinations'])
export class DestinationsController {
  constructor(private readonly destinations: DestinationsService) {}

  @Get()
  @ApiOperation({ summary: 'Destinations, oldest first (connector alias type; limit, cursor)' })
  async list(@CurrentPrincipal() p: Principal, @Query() query: Record<string, unknown>) {
    const q = new RetlQuery(query);
    const connector = q.oneOf('connector', CONNECTORS, ['type']);
    const page = q.page();
    q.done();
    return list(await this.destinations.list(p, { connector }, page), destinationResource);
  }

  @Post()
  @ApiJsonBody({
    name: 'CRM hook',
    connector: 'webhook',
    config: {
      url: 'http://localhost:4000/in',
      headers: { Authorization: 'Bearer crm-secret' },
      signingSecret: 's3cret',
      objects: [
        {
          name: 'Touchpoints',
          fields: [
            { name: 'external_id', type: 'string', isIdentifier: true, required: true },
            { name: 'account_company', type: 'string' },
          ],
        },
      ],
    },
  })
  @ApiOperation({ summary: 'Create a webhook or postgres destination (postgres: connected and read within 10 s)' })
  async create(@CurrentPrincipal() p: Principal, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const d = await this.destinations.create(p, parseDestinationBody(body));
    res.status(201).location(`/api/reverse-etl/destinations/${d.id}`);
    return { data: destinationResource(d) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A destination (secrets are write-only)' })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return { data: destinationResource(await this.destinations.get(p, id)) };
  }

  @Put(':id')
  @ApiJsonBody({ name: 'CRM hook (production)', config: { signingSecret: 'n3w-s3cret' } })
  @ApiOperation({ summary: 'Rename, or change config key by key (a secret given replaces it)' })
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown) {
    return { data: destinationResource(await this.destinations.update(p, id, parseDestinationBody(body))) };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a destination; 409 destination_in_use while a sync uses it' })
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    await this.destinations.delete(p, id);
    return { data: resource(id, 'destination', { deleted: true }) };
  }
}
