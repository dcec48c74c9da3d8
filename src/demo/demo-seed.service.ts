import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { AccountsService, ApiKeysService, IdentityService, UsersService, type Principal } from '#identity';
import { ActionsService, ContactsService, FloorsService, ProjectsService, STATUS, TasksService, UnitsService } from '#projects';
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
    private readonly identity: IdentityService,
    private readonly projects: ProjectsService,
    private readonly tasks: TasksService,
    private readonly actions: ActionsService,
    private readonly contacts: ContactsService,
    private readonly floors: FloorsService,
    private readonly units: UnitsService,
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
    await this.seedPlanfix(await this.identity.authenticateKey(key.key));
    this.seeded = { account: DEMO_ACCOUNT, username: DEMO_USER, key: key.key };
  }

  /** A project with a few tasks (one of them started, with a comment) and contacts, for the Planfix quickstart. */
  private async seedPlanfix(p: Principal): Promise<void> {
    await this.contacts.add(p, { isCompany: true, name: 'Acme', email: 'office@acme.example' });
    await this.contacts.add(p, { name: 'Jane', lastName: 'Roe', post: 'Plan sponsor', email: 'jane.roe@acme.example' });
    const project = await this.projects.add(p, { title: 'Riverside Tower', description: 'Demo project' });
    const titles = ['Collect the census data', 'Review the fee schedule', 'Prepare the annual review'];
    const tasks = [];
    for (const title of titles) tasks.push(await this.tasks.add(p, { title, projectId: project.id, workers: [p.userNumber] }));
    await this.tasks.changeStatus(p, { id: tasks[0].id }, STATUS.ACCEPTED, undefined);
    await this.actions.add(p, { description: 'Census file requested from the plan sponsor.', subject: { task: { id: tasks[0].id } } });
    await this.seedPlanpoint(p, project.publicId);
  }

  /** Two floors with a few units, so that the same project is a real Planpoint project (found at demo/riverside-tower). */
  private async seedPlanpoint(p: Principal, projectPublicId: string): Promise<void> {
    if ((await this.floors.list(p, projectPublicId)).length) return;
    const plan: [string, number, [string, 'Available' | 'On Hold' | 'Sold', string, number][]][] = [
      ['Level 1', 1, [['101', 'Available', '1', 285000], ['102', 'On Hold', '2', 350000]]],
      ['Level 2', 2, [['201', 'Sold', '2', 365000], ['202', 'Available', 'Studio', 210000]]],
    ];
    for (const [name, level, units] of plan) {
      const floor = await this.floors.create(p, projectPublicId, { name, level });
      for (const [unit, status, bedrooms, price] of units) {
        await this.units.create(p, floor.publicId, { name: unit, status, bedrooms, price, bath: 1, sqft: 550 + price / 1000 });
      }
    }
  }

  private async wanted(): Promise<boolean> {
    if (this.config.seedDemo !== undefined) return this.config.seedDemo;
    if (this.store.kind !== 'embedded') return false;
    const [{ n }] = await this.store.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
    return n === 0;
  }
}
