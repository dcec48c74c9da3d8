import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { type DestinationStream } from 'pino';
import { ConfigModule, type AppConfig } from '#config';
import { IdentityModule } from '#identity';
import { FilesModule } from '#files';
import { LimitsModule } from '#limits';
import { PlanningModule } from '#planning';
import { ProjectsModule } from '#projects';
import { StoreModule } from '#store';
import { BodyParsingModule } from './body-parsing/body-parsing.module.js';
import { AdminModule } from './admin/admin.module.js';
import { DemoModule } from './demo/demo.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PlanfixModule } from './protocols/planfix/planfix.module.js';
import { PlanpointModule } from './protocols/planpoint/planpoint.module.js';
import { PlanSyncModule } from './protocols/plansync/plansync.module.js';
import { ForwardPlannerModule } from './protocols/forward-planner/forward-planner.module.js';
import { ReverseEtlModule } from './protocols/reverse-etl/reverse-etl.module.js';

export interface AppModuleOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: DestinationStream;
  /** Modules added after the protocols: the benchmark's bare baseline routes (bench/baseline), nothing it ships. */
  extraModules?: (Type | DynamicModule)[];
}

/** The table of contents: configuration, store, identity, the operator's API, then the protocols. */
@Module({})
export class AppModule {
  static register(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, options.logStream),
        BodyParsingModule,
        StoreModule,
        IdentityModule,
        LimitsModule,
        PlanningModule,
        ProjectsModule,
        FilesModule,
        MetricsModule,
        AdminModule,
        DemoModule,
        PlanSyncModule,
        ForwardPlannerModule,
        PlanfixModule,
        PlanpointModule,
        ReverseEtlModule,
        ...(options.extraModules ?? []),
      ],
    };
  }
}
