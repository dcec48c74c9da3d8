import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '#identity';
import { DeadLettersService } from '#syncs';
import { ReverseEtlApi } from './reverse-etl-auth.guard.js';
import { parseResolveBody } from './wire/retl-body.js';
import { RetlQuery } from './wire/retl-query.js';
import { deadLetterResource, list, resolveBody, statsBody } from './wire/retl-serializers.js';
import { ApiJsonBody } from '../../docs/api-docs.js';

@ReverseEtlApi()
@Controller(['api/reverse-etl/dlq', 'v1/api/reverse-etl/dlq'])
export class DlqController {
  constructor(private readonly dlq: DeadLettersService) {}

  @Get()
  @ApiOperation({ summary: 'Dead-letter entries, newest first (sync_id, run_id, error_code, include_resolved, limit, cursor)' })
  async list(@CurrentPrincipal() p: Principal, @Query() query: Record<string, unknown>) {
    const q = new RetlQuery(query);
    const filters = {
      syncId: q.text('sync_id'),
      runId: q.text('run_id'),
      errorCode: q.text('error_code'),
      includeResolved: q.bool('include_resolved', false)!,
    };
    const page = q.page();
    q.done();
    return list(await this.dlq.list(p, filters, page), deadLetterResource);
  }

  @Get('stats')
  @ApiOperation({ summary: 'Counts by error code and sync (sync_id; since inclusive, until exclusive, on failed_at)' })
  async stats(@CurrentPrincipal() p: Principal, @Query() query: Record<string, unknown>) {
    const q = new RetlQuery(query);
    const filters = { syncId: q.text('sync_id'), since: q.time('since'), until: q.time('until') };
    q.done();
    return statsBody(await this.dlq.stats(p, filters));
  }

  @Post('resolve')
  @HttpCode(200)
  @ApiJsonBody({ ids: ['dlq_01JDXYZ0000000000000000000'], reason: 'fixed_upstream', replay: true })
  @ApiOperation({ summary: 'Resolve entries with a reason; replay re-sends their rows in a new run per sync' })
  async resolve(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return resolveBody(await this.dlq.resolve(p, parseResolveBody(body)));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A dead-letter entry with its row as sent' })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return { data: deadLetterResource(await this.dlq.get(p, id)) };
  }
}
