import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '#identity';
import { ProjectCollectionsService } from '#projects';
import { Access, OptionalPrincipal, PlanpointApi, writer } from './planpoint-auth.guard.js';
import { findTag, sendFind } from './wire/planpoint-cache.js';
import { parseId } from './wire/planpoint-fields.js';
import { parseFindBody, parseGroupInput } from './wire/planpoint-inputs.js';
import { toGroupJson } from './wire/planpoint.serializers.js';
import { ApiJsonBody } from '../../docs/api-docs.js';

/** Groups (docs/planpoint.md): 201 on every read and write but delete, as the SDK documents. */
@PlanpointApi('read')
@Controller('api/groups')
export class PlanpointGroupsController {
  constructor(private readonly groups: ProjectCollectionsService) {}

  @Post('find')
  @Access('public')
  @HttpCode(201)
  @ApiJsonBody({ namespace: 'demo', hostName: 'waterfront' })
  @ApiOperation({ summary: 'Find a group by namespace and hostName (public when published)' })
  async find(
    @OptionalPrincipal() viewer: Principal | undefined,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { namespace, hostName } = parseFindBody(body);
    const found = await this.groups.locate('group', namespace, hostName, viewer);
    const tag = findTag({ kind: 'group', namespace, hostName }, viewer, found.stamp);
    await sendFind(req, res, viewer, tag, async () => toGroupJson(await found.load(), viewer));
  }

  @Get()
  @HttpCode(201)
  async list(@CurrentPrincipal() p: Principal) {
    const records = (await this.groups.list(p, 'group')).map((g) => toGroupJson(g, p));
    return { records, count: records.length };
  }

  @Post()
  @Access('write')
  @HttpCode(201)
  async create(@CurrentPrincipal() p: Principal, @Body() body: Record<string, unknown>) {
    const input = parseGroupInput('group', body, true);
    return toGroupJson(await this.groups.create(writer(p), 'group', input), p);
  }

  @Get(':id')
  @HttpCode(201)
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return toGroupJson(await this.groups.get(p, 'group', parseId(id)), p);
  }

  @Patch(':id')
  @Access('write')
  @HttpCode(201)
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: Record<string, unknown>) {
    const groupId = parseId(id);
    const input = parseGroupInput('group', body, false);
    return toGroupJson(await this.groups.update(writer(p), 'group', groupId, input), p);
  }

  @Delete(':id')
  @Access('write')
  @HttpCode(200)
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const groupId = parseId(id);
    await this.groups.remove(writer(p), 'group', groupId);
    return { message: 'Group deleted' };
  }
}
