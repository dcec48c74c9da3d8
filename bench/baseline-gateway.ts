import 'reflect-metadata';
import { serve } from '../src/serve.js';
import { BenchBaselineModule } from './baseline/bench-baseline.module.js';

/** The gateway as it ships plus the bench's bare baseline routes (docs/performance.md), as `GatewayProcess` starts it. */
serve({ extraModules: [BenchBaselineModule] });
