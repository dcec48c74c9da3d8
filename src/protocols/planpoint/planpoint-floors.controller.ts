import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '#identity';
import { FloorsService } from '#projects';
import { Access, PlanpointApi, writer } from './planpoint-auth.guard.js';
import { invalid, parseId, parsePid, parseRef } from './wire/planpoint-fields.js';
import { parseFloorInput } from './wire/planpoint-inputs.js';
import { toFloorJson } from './wire/planpoint.serializers.js';
import { ApiJsonBody } from '../../docs/api-docs.js';

/** Floors (docs/planpoint.md): the SDK answers 200 on list, get and PATCH, 201 on create. */
@PlanpointApi('read')
@Controller('api/floors')
export class PlanpointFloorsController {
  constructor(private readonly floors: FloorsService) {}

  @Get()
  @HttpCode(200)
  @ApiOperation({ summary: "A project's floors (pid required)" })
  async list(@CurrentPrincipal() p: Principal, @Query('pid') pid: unknown) {
    return (await this.floors.list(p, parsePid(pid))).map(toFloorJson);
  }

  @Post()
  @Access('write')
  @HttpCode(201)
  @ApiJsonBody({ project: '6b0850b46ca621b18b000002', name: 'Level 1', level: 1 })
  @ApiOperation({ summary: 'Create a floor ({project, name})' })
  async create(@CurrentPrincipal() p: Principal, @Body() body: Record<string, unknown>) {
    const project = parseRef(body.project, 'project');
    if (!project) throw invalid('project is required', 'project');
    const input = parseFloorInput(body, true);
    return toFloorJson(await this.floors.create(writer(p), project, input));
  }

  @Get(':id')
  @HttpCode(200)
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return toFloorJson(await this.floors.get(p, parseId(id)));
  }

  @Patch(':id')
  @Access('write')
  @HttpCode(200)
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: Record<string, unknown>) {
    const floorId = parseId(id);
    const input = parseFloorInput(body, false);
    return toFloorJson(await this.floors.update(writer(p), floorId, input));
  }

  @Delete(':id')
  @Access('write')
  @HttpCode(200)
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const floorId = parseId(id);
    await this.floors.remove(writer(p), floorId);
    return { message: 'Floor deleted' };
  }
}
