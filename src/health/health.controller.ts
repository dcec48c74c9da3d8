import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { StoreService } from '#store';

export const SERVICE_VERSION = '1.0.0';

/** `2025-12-16T20:41:41.714889`: UTC, naive, exactly six fractional digits (PlanSync's time format). */
export function naiveMicros(date = new Date(), micros = Math.floor((performance.timeOrigin * 1000 + performance.now() * 1000) % 1000)): string {
  return date.toISOString().slice(0, 23) + String(micros).padStart(3, '0');
}

/** Open, never rate limited; the store is probed with a 1 s timeout (PlanSync §4.1). */
@ApiTags('plansync')
@Controller('health')
export class HealthController {
  constructor(private readonly store: StoreService) {}

  @Get()
  @ApiOperation({ summary: 'Service health: 200 healthy, 503 while the store is unreachable' })
  async health(@Res() res: Response): Promise<void> {
    const healthy = await this.store.ping(1000);
    if (!healthy) res.setHeader('Retry-After', '5');
    res.status(healthy ? 200 : 503).json({
      status: healthy ? 'healthy' : 'unhealthy',
      timestamp: naiveMicros(),
      version: SERVICE_VERSION,
    });
  }
}
