import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError } from '#errors';
import { hasAdminToken } from '../admin/admin-auth.guard.js';
import { Admits } from '../pipeline/admission.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus text; behind the admin token unless METRICS_PUBLIC=true. */
@ApiExcludeController()
@Admits({ credential: 'Bearer admin token, none with METRICS_PUBLIC=true' })
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.config.metricsPublic && !hasAdminToken(req, this.config.adminToken)) {
      throw DomainError.unauthenticated('a valid admin token is required (or set METRICS_PUBLIC=true)');
    }
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
