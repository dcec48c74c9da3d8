import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { type DestinationStream } from 'pino';
import { ConfigModule, type AppConfig } from '#config';
import { IdentityModule } from '#identity';
import { FilesModule } from '#files';
import { LimitsModule } from '#limits';
import { PlanningModule } from '#planning';
import { ProjectsModule } from '#projects';
import { StoreModule } from '#store';
import { DemoModule } from './demo/demo.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { AdmissionModule } from './pipeline/admission.js';
import { PipelineModule } from './pipeline/pipeline.module.js';
import { type ProtocolRegistry } from './pipeline/protocol.js';
import { PROTOCOLS } from './protocols/index.js';

export interface AppModuleOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: DestinationStream;
  /** The protocols served (src/protocols/index.ts by default; tests add a toy one). */
  protocols?: ProtocolRegistry;
  /** Modules added after the protocols: the benchmark's bare baseline routes (bench/baseline), nothing it ships. */
  extraModules?: (Type | DynamicModule)[];
}

/** The table of contents: configuration, logs, the request pipeline, the shared libs, then the protocols. */
@Module({})
export class AppModule {
  static register(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    const protocols = options.protocols ?? PROTOCOLS;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, (path) => protocols.of(path).name, options.logStream),
        PipelineModule.forRoot(protocols),
        StoreModule,
        IdentityModule.forRoot(protocols.settingsSections()),
        LimitsModule,
        PlanningModule,
        ProjectsModule,
        FilesModule,
        MetricsModule,
        AdmissionModule,
        DemoModule,
        ...protocols.protocols.flatMap((p) => (p.module ? [p.module] : [])),
        ...(options.extraModules ?? []),
      ],
    };
  }
}
