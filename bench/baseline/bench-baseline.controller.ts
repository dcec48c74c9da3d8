import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { EventsService } from '#events';
import { AccountsService, type Principal } from '#identity';
import { clientScope, SpreadsheetsService } from '#planning';
import { FloorsService, ProjectSitesService, TasksService, UnitsService } from '#projects';
import { taskElement } from '../../src/protocols/planfix/wire/planfix.serializers.js';
import { list, okResponse } from '../../src/protocols/planfix/wire/xml-response.js';
import { toProjectJson } from '../../src/protocols/planpoint/wire/planpoint.serializers.js';
import { eventViewer } from '../../src/protocols/forward-planner/forward-planner-settings.js';

/** An account-wide admin caller, built without any credential lookup. */
function bareCaller(accountId: string): Principal {
  return {
    accountId,
    accountSlug: 'bench',
    accountPlan: 'premium',
    accountSettings: {},
    userId: '00000000-0000-0000-0000-000000000000',
    userNumber: 0,
    username: 'bench',
    email: 'bench@example.com',
    role: 'admin',
    assignedClients: [],
    credentialId: null,
  };
}

/**
 * The benchmark's baselines, mounted only in the bench's gateway (bench/baseline-gateway.ts): the same queries as the
 * protocol routes, with no authentication, no limiter and no protocol rendering — what a bare Nest+Express route
 * would cost.
 */
@ApiExcludeController()
@Controller('bench-baseline')
export class BenchBaselineController {
  /** Account ids by slug, looked up once: the baseline pays for no lookup per request. */
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly accounts: AccountsService,
    private readonly sheets: SpreadsheetsService,
    private readonly events: EventsService,
    private readonly tasks: TasksService,
    private readonly projects: ProjectSitesService,
    private readonly floors: FloorsService,
    private readonly units: UnitsService,
  ) {}

  private async caller(slug: string): Promise<Principal> {
    let id = this.ids.get(slug);
    if (!id) {
      id = (await this.accounts.get(slug)).id;
      this.ids.set(slug, id);
    }
    return bareCaller(id);
  }

  @Get('plansync-data/:slug/:sheet')
  async sheetData(@Param('slug') slug: string, @Param('sheet') sheet: string, @Query('year') year: string, @Res() res: Response) {
    const p = await this.caller(slug);
    const table = await this.sheets.table(p, sheet, Number(year));
    const scope = clientScope(p);
    const count = await this.sheets.countRows(table, scope);
    const data: unknown[] = [];
    for await (const batch of this.sheets.rows(table, scope)) data.push(...batch);
    res.json({ count, data });
  }

  @Get('fp-date/:slug')
  async eventsOnDate(@Param('slug') slug: string, @Query('date') date: string, @Res() res: Response) {
    const rows = await this.events.page(eventViewer(await this.caller(slug)), { kind: 'date', date }, {}, { offset: 0, limit: 100 });
    // the stored texts as they are: the least a route can do with these rows
    res.type('application/json').send(`[${rows.map((r) => r.contentJson).join(',')}]`);
  }

  /** Planfix task.getList of one project: the same query, rendered with the same serializer into the same envelope. */
  @Post('planfix-tasks/:slug/:project')
  async projectTasks(@Param('slug') slug: string, @Param('project') project: string, @Res() res: Response) {
    const page = await this.tasks.list(
      await this.caller(slug),
      { target: 'all', project: { id: Number(project), withSubprojects: false }, flags: [], sort: 'NUMBER_ASC' },
      { offset: 0, limit: 100 },
    );
    res.type('application/xml; charset=utf-8').send(
      okResponse([
        list(
          'tasks',
          page.total,
          page.items.map((t) => taskElement(t, 'UTC', false)),
        ),
      ]),
    );
  }

  /** Planpoint's public projects/find: the same lookups and document, no limiter and no credential check. */
  @Post('planpoint-find')
  @HttpCode(201)
  async findProject(@Body() body: { namespace: string; hostName: string }) {
    const project = await this.projects.find(body.namespace, body.hostName, undefined);
    const [floors, units] = await Promise.all([this.floors.ofProject(project.id), this.units.ofProject(project.id)]);
    return toProjectJson(project, floors, units, true);
  }
}
