import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { Limiter } from './limiter.service.js';
import { LimitStorages } from './limit-storages.js';

@Module({ providers: [LimitStorages], exports: [LimitStorages] })
class LimitStoragesModule {}

/**
 * Registers our counter storage as @nestjs/throttler's storage (so Nest's throttler and ours count in one place),
 * and the Limiter that the protocol guards call. Nest's ThrottlerGuard itself is not used: it counts per route,
 * admits window by window (a request refused by one window is still counted by the others) and names headers
 * `Retry-After-<name>`; our keys are per credential or account, our windows are admitted as one.
 */
@Global()
@Module({
  imports: [
    LimitStoragesModule,
    ThrottlerModule.forRootAsync({
      imports: [LimitStoragesModule],
      inject: [LimitStorages],
      useFactory: (storages: LimitStorages) => ({ throttlers: [], storage: storages.routed }),
    }),
  ],
  providers: [Limiter],
  exports: [Limiter, LimitStoragesModule],
})
export class LimitsModule {}
