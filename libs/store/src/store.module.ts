import { Global, Logger, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { openStore } from './data-source.factory.js';
import { GatewaySecrets, resolveGatewaySecrets } from './gateway-secrets.js';
import { runMigrations } from './migrate.js';
import { Pruner } from './pruner.js';
import { StoreService } from './store.service.js';

@Global()
@Module({
  providers: [
    {
      provide: StoreService,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const logger = new Logger('Store');
        const started = performance.now();
        const opened = await openStore(config.store);
        try {
          const applied = await runMigrations(opened.dataSource);
          logger.log(
            `${opened.kind} store ready in ${Math.round(performance.now() - started)} ms` +
              (opened.began ? ` (new: ${opened.began})` : '') +
              (applied.length ? `; ${applied.length} migration(s) applied` : ''),
          );
          if (applied.length) logger.debug(`migrations applied: ${applied.join(', ')}`);
        } catch (e) {
          await opened.close();
          throw e;
        }
        return new StoreService(opened);
      },
    },
    Pruner,
    {
      // Resolved once the migrations ran: readers of the JWT secret inject this, not the configuration.
      provide: GatewaySecrets,
      inject: [APP_CONFIG, StoreService],
      useFactory: (config: AppConfig, store: StoreService) => resolveGatewaySecrets(config, store),
    },
  ],
  exports: [StoreService, Pruner, GatewaySecrets],
})
export class StoreModule {}
