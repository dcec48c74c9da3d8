import { Controller, Get } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { RunEngine } from '#syncs';
import { AdminApi } from './admin-auth.guard.js';

/** The reverse-ETL engine as the operator sees it (docs/reverse-etl.md). */
@AdminApi()
@Controller('admin/reverse-etl')
export class AdminReverseEtlController {
  constructor(private readonly engine: RunEngine) {}

  @Get('status')
  @ApiOperation({ summary: 'SQL sources on or off (and why), workers of this instance, queued and running runs' })
  async status() {
    const s = await this.engine.status();
    return { sql_sources: s.sqlSources, reason: s.reason, workers: s.workers, queued: s.queued, running: s.running };
  }
}
