import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { StoreService } from '#store';
import { naiveNow } from './wire/plansync-time.js';

export const SERVICE_VERSION = '1.0.0';

const HEALTH_SCHEMA = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['healthy', 'unhealthy'] },
    timestamp: { type: 'string', example: '2025-12-16T20:41:41.714889' },
    version: { type: 'string', example: SERVICE_VERSION },
  },
  required: ['status', 'timestamp', 'version'],
};

/** Open, never rate limited; the store is probed with a 1 s timeout (docs/plansync.md). */
@ApiTags('plansync')
@Controller('health')
export class HealthController {
  constructor(private readonly store: StoreService) {}

  @Get()
  @ApiOperation({ summary: 'Service health: 200 healthy, 503 while the store is unreachable' })
  @ApiResponse({ status: 200, description: 'healthy', schema: HEALTH_SCHEMA })
  @ApiResponse({ status: 503, description: 'the store is unreachable (Retry-After: 5)', schema: HEALTH_SCHEMA })
  async health(@Res() res: Response): Promise<void> {
    const healthy = await this.store.ping(1000);
    if (!healthy) res.setHeader('Retry-After', '5');
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'healthy' : 'unhealthy', timestamp: naiveNow(), version: SERVICE_VERSION });
  }
}
