import { Test } from '@nestjs/testing';
import { type INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '#config';
import { IdentityModule } from '#identity';
import { StoreModule } from '#store';
import { testConfig, withStoreTemplate, type TestAppOptions } from './test-app.js';
import { PROTOCOLS } from '../../src/protocols/index.js';

/** Store and identity without HTTP: the integration tier, on a real store built by the migrations. */
export async function startTestStore(options: TestAppOptions = {}): Promise<INestApplicationContext> {
  const config = await withStoreTemplate(testConfig(options));
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), StoreModule, IdentityModule.forRoot(PROTOCOLS.settingsSections())],
  }).compile();
  moduleRef.useLogger(false);
  return moduleRef.init();
}
