import { type DynamicModule, Module } from '@nestjs/common';
import { SettingsRegistry, type SettingsSection } from './account-settings.js';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { FixedTermSessionsService } from './fixed-term-sessions.service.js';
import { IdentityService } from './identity.service.js';
import { RotatingSessionsService } from './rotating-sessions.service.js';
import { SessionPruning } from './session-pruning.js';
import { SigningKeysService } from './signing-keys.service.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** Accounts, users, keys, sessions and signing keys, with the settings sections the protocols declare. */
@Module({})
export class IdentityModule {
  static forRoot(sections: readonly SettingsSection[]): DynamicModule {
    return {
      module: IdentityModule,
      global: true,
      providers: [
        { provide: SettingsRegistry, useValue: new SettingsRegistry(sections) },
        AccountsRepository,
        UsersRepository,
        ApiKeysRepository,
        IdentityService,
        AccountsService,
        UsersService,
        ApiKeysService,
        FixedTermSessionsService,
        RotatingSessionsService,
        SigningKeysService,
        SessionPruning,
      ],
      exports: [
        SettingsRegistry,
        IdentityService,
        AccountsService,
        UsersService,
        ApiKeysService,
        FixedTermSessionsService,
        RotatingSessionsService,
        SigningKeysService,
      ],
    };
  }
}
