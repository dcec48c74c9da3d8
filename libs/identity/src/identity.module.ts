import { Global, Module } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { IdentityService } from './identity.service.js';
import { SigningKeysService } from './signing-keys.service.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';
import { XmlSessionsService } from './xml-sessions.service.js';

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
    XmlSessionsService,
    SigningKeysService,
  ],
  exports: [IdentityService, AccountsService, UsersService, ApiKeysService, XmlSessionsService, SigningKeysService],
})
export class IdentityModule {}
