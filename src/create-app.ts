import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type NextFunction, type Request, type Response } from 'express';
import { Logger } from 'nestjs-pino';
import { type AppConfig } from '#config';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { withQuietStartUp } from './logging/start-up-quiet.js';
import { mountDocs } from './docs/openapi.js';
import { MetricsService } from './metrics/metrics.service.js';
import { ProtocolExceptionFilter } from './pipeline/pipeline.module.js';
import { ProtocolRegistry } from './pipeline/protocol.js';

/**
 * Builds the gateway (not listening): used by main.ts and by every e2e test, so tests drive exactly what runs.
 */
export async function createApp(config: AppConfig, options: AppModuleOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, options), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(withQuietStartUp(app.get(Logger)));
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy ?? false);
  const protocols = app.get(ProtocolRegistry);
  app.useGlobalFilters(new ProtocolExceptionFilter(protocols));

  const metrics = app.get(MetricsService);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.observe(protocols.of(req.path).name, String(route), res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });

  mountDocs(app);
  return app;
}
