import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '#identity';
import { LeadsService, ProjectSitesService } from '#projects';
import { Access, OptionalPrincipal, PlanpointApi } from './planpoint-auth.guard.js';
import { parsePid } from './wire/planpoint-fields.js';
import { parseLeadInput, parseProjectLocator } from './wire/planpoint-inputs.js';
import { toLeadJson } from './wire/planpoint.serializers.js';
import { ApiJsonBody } from '../../docs/api-docs.js';

/** Leads: the viewer's contact form (public) and the account's list, newest first. */
@PlanpointApi('read')
@Controller('api/leads')
export class PlanpointLeadsController {
  constructor(
    private readonly leads: LeadsService,
    private readonly projects: ProjectSitesService,
  ) {}

  @Get()
  @HttpCode(200)
  @ApiOperation({ summary: "A project's leads (pid required)" })
  async list(@CurrentPrincipal() p: Principal, @Query('pid') pid: unknown) {
    return (await this.leads.list(p, parsePid(pid))).map(toLeadJson);
  }

  @Post()
  @Access('public')
  @HttpCode(201)
  @ApiJsonBody({ namespace: 'demo', hostName: 'riverside-tower', name: 'Jane', email: 'jane@example.com' })
  @ApiOperation({ summary: "The viewer's contact form (public)" })
  async create(@OptionalPrincipal() viewer: Principal | undefined, @Body() body: Record<string, unknown>) {
    const locator = parseProjectLocator(body);
    const input = parseLeadInput(body);
    const project =
      'project' in locator
        ? await this.projects.findById(locator.project, viewer)
        : await this.projects.find(locator.namespace, locator.hostName, viewer);
    return toLeadJson(await this.leads.create(project, input));
  }
}
