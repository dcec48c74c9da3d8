import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '#identity';
import { RUN_STATUSES, RunsService } from '#syncs';
import { ReverseEtlApi } from './reverse-etl-auth.guard.js';
import { RetlQuery } from './wire/retl-query.js';
import { list, runResource } from './wire/retl-serializers.js';

@ReverseEtlApi()
@Controller(['api/reverse-etl/runs', 'v1/api/reverse-etl/runs'])
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Get()
  @ApiOperation({ summary: 'Runs, newest first (sync_id, status, since/until on created_at, limit, cursor)' })
  async list(@CurrentPrincipal() p: Principal, @Query() query: Record<string, unknown>) {
    const q = new RetlQuery(query);
    const filters = { syncId: q.text('sync_id'), status: q.oneOf('status', RUN_STATUSES), since: q.time('since'), until: q.time('until') };
    const page = q.page();
    q.done();
    return list(await this.runs.list(p, filters, page), runResource);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A run: status, counters, watermarks, error' })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return { data: runResource(await this.runs.get(p, id)) };
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a run: queued at once, running after its batch; finished → 409 run_finished' })
  async cancel(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return { data: runResource(await this.runs.cancel(p, id)) };
  }
}
