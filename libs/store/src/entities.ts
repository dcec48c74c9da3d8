import { AccountEntity } from './entities/account.entity.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { UserEntity } from './entities/user.entity.js';

export * from './entities/account.entity.js';
export * from './entities/api-key.entity.js';
export * from './entities/user.entity.js';

export const ENTITIES = [AccountEntity, UserEntity, ApiKeyEntity];
