import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiOperation } from '@nestjs/swagger';
import { DomainError } from '#errors';
import { CurrentPrincipal, type Principal } from '#identity';
import { FloorsService, ProjectSitesService, UnitsService } from '#projects';
import { Access, OptionalPrincipal, PlanpointApi, writer } from './planpoint-auth.guard.js';
import { findTag, sendFind } from './wire/planpoint-cache.js';
import { parseId, parsePid } from './wire/planpoint-fields.js';
import { parseBatch, parseProjectLocator, parseUnitFindFilters, parseUnitInput } from './wire/planpoint-inputs.js';
import { toUnitJson } from './wire/planpoint.serializers.js';
import { sdkStatus } from './wire/unit-vocabularies.js';
import { ApiJsonBody } from '../../docs/api-docs.js';

/** Units (docs/planpoint.md): both vocabularies out, either in; the batch is all or nothing. */
@PlanpointApi('read')
@Controller('api/units')
export class PlanpointUnitsController {
  constructor(
    private readonly units: UnitsService,
    private readonly projects: ProjectSitesService,
    private readonly floors: FloorsService,
  ) {}

  @Get()
  @HttpCode(201)
  @ApiOperation({ summary: "A project's units (pid required; floor optional)" })
  async list(@CurrentPrincipal() p: Principal, @Query('pid') pid: unknown, @Query('floor') floor: unknown) {
    const projectId = parsePid(pid);
    const floorId = floor === undefined || floor === '' ? undefined : parseId(floor);
    const records = (await this.units.list(p, projectId, floorId)).map(toUnitJson);
    return { records, count: records.length };
  }

  @Post('find')
  @Access('public')
  @HttpCode(201)
  @ApiJsonBody({ namespace: 'demo', hostName: 'riverside-tower', status: 'Available' })
  @ApiOperation({ summary: "A visible project's units, by floor and status (public)" })
  async find(
    @OptionalPrincipal() viewer: Principal | undefined,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const locator = parseProjectLocator(body);
    const filters = parseUnitFindFilters(body);
    const project =
      'project' in locator
        ? await this.projects.findById(locator.project, viewer)
        : await this.projects.find(locator.namespace, locator.hostName, viewer);
    if (filters.floor !== undefined) {
      const floor = await this.floors.row(project.accountId, filters.floor);
      if (!floor || floor.projectId !== project.id) throw DomainError.notFound('floor', 'Floor not found');
    }
    const tag = findTag({ kind: 'units', ...locator, ...filters }, viewer, await this.projects.stamp(project.id));
    await sendFind(req, res, viewer, tag, async () => {
      let units = await this.units.ofProject(project.id);
      if (filters.floor !== undefined) units = units.filter((u) => u.floorPublicId === filters.floor);
      if (filters.status !== undefined) units = units.filter((u) => sdkStatus(u.effectiveStatus) === sdkStatus(filters.status!));
      const records = units.map(toUnitJson);
      return { records, count: records.length };
    });
  }

  @Post()
  @Access('write')
  @HttpCode(201)
  @ApiJsonBody({ floor: '6b0850b46ca621b18b000003', unitNumber: '101', status: 'OnHold', bed: 2, price: 350000 })
  @ApiOperation({ summary: 'Create a unit on a floor (either vocabulary)' })
  async create(@CurrentPrincipal() p: Principal, @Body() body: Record<string, unknown>) {
    const { floorRef, ...input } = parseUnitInput(body, true);
    return toUnitJson(await this.units.create(writer(p), floorRef!, input));
  }

  @Patch()
  @Access('write')
  @HttpCode(201)
  @ApiJsonBody({ ids: ['6b0850b46ca621b18b000004'], patchData: { status: 'Sold' } })
  @ApiOperation({ summary: 'Batch update: {ids, patchData}, all or nothing' })
  async batch(@CurrentPrincipal() p: Principal, @Body() body: Record<string, unknown>) {
    const { ids, patch } = parseBatch(body);
    return (await this.units.updateMany(writer(p), ids, patch)).map(toUnitJson);
  }

  @Get(':id')
  @HttpCode(200)
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return toUnitJson(await this.units.get(p, parseId(id)));
  }

  @Patch(':id')
  @Access('write')
  @HttpCode(200)
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: Record<string, unknown>) {
    const unitId = parseId(id);
    const input = parseUnitInput(body, false);
    return toUnitJson(await this.units.update(writer(p), unitId, input));
  }

  @Delete(':id')
  @Access('write')
  @HttpCode(200)
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const unitId = parseId(id);
    await this.units.remove(writer(p), unitId);
    return { message: 'Unit deleted' };
  }
}
