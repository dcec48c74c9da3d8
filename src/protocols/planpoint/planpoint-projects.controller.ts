import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '#identity';
import { FloorsService, ProjectSitesService, projectSummary, UnitsService, type ProjectSite } from '#projects';
import { Access, OptionalPrincipal, PlanpointApi, writer } from './planpoint-auth.guard.js';
import { findTag, sendFind } from './wire/planpoint-cache.js';
import { parseId } from './wire/planpoint-fields.js';
import { parseFindBody, parseProjectInput, projectChanges } from './wire/planpoint-inputs.js';
import { toProjectJson } from './wire/planpoint.serializers.js';
import { ApiAnswer, ApiJsonBody } from '../../docs/api-docs.js';

/** Projects (docs/planpoint.md): the rows Planfix serves as projects. Success codes are the SDK's (201 on reads). */
@PlanpointApi('read')
@Controller('api/projects')
export class PlanpointProjectsController {
  constructor(
    private readonly projects: ProjectSitesService,
    private readonly floors: FloorsService,
    private readonly units: UnitsService,
  ) {}

  @Post('find')
  @Access('public')
  @HttpCode(201)
  @ApiOperation({ summary: 'Find a project by namespace and hostName (public when published)' })
  @ApiJsonBody({ namespace: 'demo', hostName: 'riverside-tower' })
  async find(
    @OptionalPrincipal() viewer: Principal | undefined,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { namespace, hostName } = parseFindBody(body);
    const project = await this.projects.find(namespace, hostName, viewer);
    const tag = findTag({ kind: 'project', namespace, hostName }, viewer, await this.projects.stamp(project.id));
    await sendFind(req, res, viewer, tag, () => this.document(project, !viewer));
  }

  @Get('mine')
  @HttpCode(201)
  @ApiOperation({ summary: "All the account's projects" })
  @ApiAnswer(201, [
    {
      _id: '6b0850b46ca621b18b000002',
      name: 'Riverside Tower',
      namespace: 'demo',
      hostName: 'riverside-tower',
      projectType: null,
      status: 'ACTIVE',
      statusOverride: null,
      paused: false,
      published: true,
      createdAt: '2026-11-26T15:31:00.377Z',
    },
  ])
  async mine(@CurrentPrincipal() p: Principal) {
    return (await this.projects.listMine(p)).map(projectSummary);
  }

  @Post()
  @Access('write')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a project (also a Planfix project)' })
  @ApiJsonBody({ name: 'Harbour View' })
  async create(@CurrentPrincipal() p: Principal, @Body() body: Record<string, unknown>) {
    const changes = projectChanges(parseProjectInput(body, true));
    return this.document(await this.projects.create(writer(p), changes));
  }

  @Get(':id')
  @HttpCode(201)
  @ApiOperation({ summary: 'A project with floors, units, commercial spaces and collections' })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.document(await this.projects.get(p, parseId(id)));
  }

  @Patch(':id')
  @Access('write')
  @HttpCode(201)
  @ApiOperation({ summary: 'Update a project (merge; read-only keys ignored)' })
  @ApiJsonBody({ name: 'Harbour View (phase 1)', published: true })
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: Record<string, unknown>) {
    const projectId = parseId(id);
    const changes = projectChanges(parseProjectInput(body, false));
    return this.document(await this.projects.update(writer(p), projectId, changes));
  }

  @Delete(':id')
  @Access('write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a project with its floors, units and leads' })
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const projectId = parseId(id);
    await this.projects.remove(writer(p), projectId);
    return { message: 'Project deleted' };
  }

  private async document(project: ProjectSite, anonymous = false) {
    const [floors, units] = await Promise.all([this.floors.ofProject(project.id), this.units.ofProject(project.id)]);
    return toProjectJson(project, floors, units, anonymous);
  }
}
