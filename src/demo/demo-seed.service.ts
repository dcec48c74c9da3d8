import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { EventsService, normalizeEventImport } from '#events';
import { AccountsService, ApiKeysService, IdentityService, UsersService, type Principal } from '#identity';
import { parseCsv, SpreadsheetsService, TouchpointsService } from '#planning';
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
    private readonly sheets: SpreadsheetsService,
    private readonly touchpoints: TouchpointsService,
    private readonly events: EventsService,
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
      this.logger.log(
        `demo account '${DEMO_ACCOUNT}' exists already; make a new key with: npm run cli -- keys create ${DEMO_ACCOUNT} ${DEMO_USER} <name>`,
      );
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
    const principal = await this.identity.authenticateKey(key.key);
    await this.seedPlanfix(principal);
    await this.seedPlanSync(principal);
    const account = await this.accounts.get(DEMO_ACCOUNT);
    await this.events.import(account.id, normalizeEventImport(demoEvents(Date.now())));
    this.seeded = { account: DEMO_ACCOUNT, username: DEMO_USER, key: key.key };
  }

  /** Spreadsheets for this year and the last, and a few touchpoints. */
  private async seedPlanSync(p: Principal): Promise<void> {
    const year = new Date().getUTCFullYear();
    const clients = (y: number) =>
      parseCsv(
        Buffer.from(
          [
            'Client Name,Plan Assets,Participants,Active,Renewal Date',
            `Acme,1250000.50,120,true,${y}-06-30`,
            `Globex,980000,85,true,${y}-09-15`,
            `Initech,310000.75,22,false,`,
          ].join('\n'),
        ),
        { clientColumn: 'Client Name' },
      );
    await this.sheets.import(p.accountId, 'Client List', year - 1, clients(year - 1));
    await this.sheets.import(p.accountId, 'Client List', year, clients(year));
    const fees = parseCsv(Buffer.from(['Client Name,Fee Type,Amount', 'Acme,Advisory,12500', 'Globex,Recordkeeping,8200'].join('\n')), {
      clientColumn: 'Client Name',
    });
    await this.sheets.import(p.accountId, 'Fee Schedule', year, fees);
    const base = {
      reportingYear: String(year),
      stakeholders: 'Plan Sponsor, TPA',
      timeSpent: 45,
      includeInAnnualReviewReport: 'No' as const,
    };
    await this.touchpoints.create(p, year, {
      ...base,
      companyName: 'Acme',
      touchpoints: 'Quarterly review call',
      reportingQuarter: 'Q1',
      date: `${year}-02-14`,
    });
    await this.touchpoints.create(p, year, {
      ...base,
      companyName: 'Globex',
      touchpoints: 'Fee benchmarking discussion',
      reportingQuarter: 'Q2',
      date: `${year}-05-20`,
    });
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
      [
        'Level 1',
        1,
        [
          ['101', 'Available', '1', 285000],
          ['102', 'On Hold', '2', 350000],
        ],
      ],
      [
        'Level 2',
        2,
        [
          ['201', 'Sold', '2', 365000],
          ['202', 'Available', 'Studio', 210000],
        ],
      ],
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

/** A few Forward Planner events around the day of the seed, so that `events/date` of today has something. */
export function demoEvents(now: number): Record<string, unknown>[] {
  const day = (n: number) => new Date(now + n * 86_400_000).toISOString().slice(0, 10);
  const london = {
    timezoneID: 1,
    timezoneAbbreviation: 'GMT',
    timezoneName: '(GMT) Greenwich Mean Time',
    timezoneOffset: 0,
    timezoneIdentity: null,
  };
  const uk = { countryId: 44, countryName: 'United Kingdom', region: 'EUROPE', countryCode: 'GB' };
  return [
    {
      itemId: 1001,
      summary: 'Quarterly plan sponsor review',
      description: 'Acme Corp reviews its retirement plan line-up',
      startDate: day(0),
      time: '09:30',
      timezone: london,
      venue: '1 Demo Street, London',
      organisationId: 1,
      organisationName: 'Acme',
      countryId: 44,
      countryName: 'United Kingdom',
      country: uk,
      categories: [{ categoryId: 10, categoryName: 'Economy', categoryOrder: 1 }],
      eventTypes: [{ tagId: 100, tagName: 'Meetings' }],
      isHeadline: true,
      locale: 'en-GB',
    },
    {
      itemId: 1002,
      summary: 'Benefits conference',
      description: 'Two days on plan design and fees',
      startDate: day(1),
      endDate: day(2),
      venue: 'Excel Centre, London',
      organisationName: 'Globex',
      countryId: 44,
      countryName: 'United Kingdom',
      country: uk,
      categories: [{ categoryId: 11, categoryName: 'Pensions', categoryOrder: 2 }],
      eventTypes: [{ tagId: 101, tagName: 'Conferences' }],
    },
    {
      itemId: 1003,
      summary: 'Fee schedule publication',
      description: 'Annual publication of the fee schedule',
      startDate: day(7),
      time: '07:00',
      timezone: london,
      organisationName: 'Acme',
      countryId: 44,
      countryName: 'United Kingdom',
      country: uk,
      categories: [{ categoryId: 10, categoryName: 'Economy', categoryOrder: 1 }],
      eventTypes: [{ tagId: 102, tagName: 'Publications' }],
    },
  ];
}
