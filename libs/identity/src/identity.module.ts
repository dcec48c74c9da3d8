import { Global, Module } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { FixedTermSessionsService } from './fixed-term-sessions.service.js';
import { IdentityService } from './identity.service.js';
import { RotatingSessionsService } from './rotating-sessions.service.js';
import { SigningKeysService } from './signing-keys.service.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Global()
@Module({
  providers: [
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
  ],
  exports: [
    IdentityService,
    AccountsService,
    UsersService,
    ApiKeysService,
    FixedTermSessionsService,
    RotatingSessionsService,
    SigningKeysService,
  ],
})
export class IdentityModule {}
