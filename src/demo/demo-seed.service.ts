import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { AccountsService, ApiKeysService, UsersService } from '#identity';
import { StoreService } from '#store';

export const DEMO_ACCOUNT = 'demo';
export const DEMO_USER = 'demo-admin';

export interface DemoSeed {
  account: string;
  username: string;
  /** The demo key's secret, known only on the start that created it. */
  key: string;
}

/**
 * On the first start of an empty embedded store (or whenever SEED_DEMO=true) makes the demo account, its admin user
 * and an API key, so that `npm ci && npm start` leads straight to a first call. Never on PostgreSQL unless asked.
 */
@Injectable()
export class DemoSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Demo');
  /** What this start seeded, for the start banner; undefined when nothing was seeded. */
  seeded?: DemoSeed;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: StoreService,
    private readonly accounts: AccountsService,
    private readonly users: UsersService,
    private readonly keys: ApiKeysService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.wanted())) return;
    const existing = (await this.accounts.list()).some((a) => a.slug === DEMO_ACCOUNT);
    if (existing) {
      this.logger.log(`demo account '${DEMO_ACCOUNT}' exists already; make a new key with: npm run cli -- keys create ${DEMO_ACCOUNT} ${DEMO_USER} <name>`);
      return;
    }
    await this.accounts.create({ slug: DEMO_ACCOUNT, name: 'Demo Planning Co', plan: 'pro' });
    await this.users.create(DEMO_ACCOUNT, {
      username: DEMO_USER,
      email: 'demo-admin@example.com',
      role: 'admin',
      assignedClients: ['Acme', 'Globex'],
    });
    const key = await this.keys.create(DEMO_ACCOUNT, DEMO_USER, 'demo');
    this.seeded = { account: DEMO_ACCOUNT, username: DEMO_USER, key: key.key };
  }

  private async wanted(): Promise<boolean> {
    if (this.config.seedDemo !== undefined) return this.config.seedDemo;
    if (this.store.kind !== 'embedded') return false;
    const [{ n }] = await this.store.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
    return n === 0;
  }
}
