import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { type Response } from 'express';
import { CurrentPrincipal, type Principal } from '#identity';
import { SyncsService } from '#syncs';
import { ReverseEtlApi } from './reverse-etl-auth.guard.js';
import { parseRunBody, parseSyncBody, parseToggleBody } from './wire/retl-body.js';
import { RetlQuery } from './wire/retl-query.js';
import { list, resource, runRequestResource, syncResource } from './wire/retl-serializers.js';
import { ApiJsonBody } from '../../docs/api-docs.js';

@ReverseEtlApi()
@Controller(['api/reverse-etl/syncs', 'v1/api/reverse-etl/syncs'])
export class SyncsController {
  constructor(private readonly syncs: SyncsService) {}

  @Get()
  @ApiOperation({ summary: 'Syncs, oldest first (destination_id, enabled, limit, cursor)' })
  async list(@CurrentPrincipal() p: Principal, @Query() query: Record<string, unknown>) {
    const q = new RetlQuery(query);
    const destinationId = q.text('destination_id');
    const enabled = q.bool('enabled');
    const page = q.page();
    q.done();
    return list(await this.syncs.list(p, { destinationId, enabled }, page), syncResource);
  }

  @Post()
  @ApiJsonBody({
    name: 'Touchpoints to CRM',
    sourceQuery: 'model:touchpoints',
    destinationId: 'conn_01JDXYZ0000000000000000000',
    objectName: 'Touchpoints',
    fieldMappings: [
      { source: 'id', destination: 'external_id', isKey: true },
      { source: 'company_name', destination: 'account_company' },
    ],
    syncMode: 'upsert',
    watermarkColumn: 'updated_at',
    schedule: { type: 'cron', expression: '15 */4 * * *', timezone: 'Europe/Berlin' },
  })
  @ApiOperation({ summary: 'Create a sync: a model reference or a read-only SQL SELECT, mappings, mode, schedule' })
  async create(@CurrentPrincipal() p: Principal, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const s = await this.syncs.create(p, parseSyncBody(body));
    res.status(201).location(`/api/reverse-etl/syncs/${s.id}`);
    return { data: syncResource(s) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A sync with its status, last run and next run' })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return { data: syncResource(await this.syncs.get(p, id)) };
  }

  @Put(':id')
  @ApiJsonBody({ schedule: { type: 'cron', expression: '0 6 * * *', timezone: 'UTC' } })
  @ApiOperation({ summary: 'Change a sync (partial; validated whole; a new source or watermark column resets the watermark)' })
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown) {
    return { data: syncResource(await this.syncs.update(p, id, parseSyncBody(body))) };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a sync: queued runs canceled, open DLQ entries resolved sync_deleted; history stays' })
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    await this.syncs.delete(p, id);
    return { data: resource(id, 'reverse_etl_sync', { deleted: true }) };
  }
}

@ReverseEtlApi()
@Controller(['api/reverse-etl/sync', 'v1/api/reverse-etl/sync'])
export class SyncActionsController {
  constructor(private readonly syncs: SyncsService) {}

  @Post('run')
  @HttpCode(202)
  @ApiJsonBody({ syncId: 'retl_sync_01JDXYZ0000000000000000000', fullResync: false })
  @ApiOperation({ summary: 'Run one sync or several (syncId or syncIds; fullResync ignores the watermark once): 202' })
  async run(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    const { ids, fullResync } = parseRunBody(body);
    return { data: (await this.syncs.requestRuns(p, ids, fullResync)).map(runRequestResource) };
  }

  @Post('toggle')
  @HttpCode(200)
  @ApiJsonBody({ syncId: 'retl_sync_01JDXYZ0000000000000000000', enabled: false })
  @ApiOperation({ summary: 'Enable or disable a sync (enabled, or state enabled|active|disabled|paused)' })
  async toggle(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    const { id, enabled } = parseToggleBody(body);
    return { data: syncResource(await this.syncs.toggle(p, id, enabled)) };
  }
}
