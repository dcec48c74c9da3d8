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

/** Enterprises (docs/planpoint.md; the SDK has none: they follow its group pattern, 201 but delete). */
@PlanpointApi('read')
@Controller('api/enterprises')
export class PlanpointEnterprisesController {
  constructor(private readonly groups: ProjectCollectionsService) {}

  @Post('find')
  @Access('public')
  @HttpCode(201)
  @ApiJsonBody({ namespace: 'demo', hostName: 'demo-homes' })
  @ApiOperation({ summary: 'Find an enterprise by namespace and hostName (public when published)' })
  async find(
    @OptionalPrincipal() viewer: Principal | undefined,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { namespace, hostName } = parseFindBody(body);
    const found = await this.groups.locate('enterprise', namespace, hostName, viewer);
    const tag = findTag({ kind: 'enterprise', namespace, hostName }, viewer, found.stamp);
    await sendFind(req, res, viewer, tag, async () => toGroupJson(await found.load(), viewer));
  }

  @Get()
  @HttpCode(201)
  async list(@CurrentPrincipal() p: Principal) {
    const records = (await this.groups.list(p, 'enterprise')).map((g) => toGroupJson(g, p));
    return { records, count: records.length };
  }

  @Post()
  @Access('write')
  @HttpCode(201)
  async create(@CurrentPrincipal() p: Principal, @Body() body: Record<string, unknown>) {
    const input = parseGroupInput('enterprise', body, true);
    return toGroupJson(await this.groups.create(writer(p), 'enterprise', input), p);
  }

  @Get(':id')
  @HttpCode(201)
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return toGroupJson(await this.groups.get(p, 'enterprise', parseId(id)), p);
  }

  @Patch(':id')
  @Access('write')
  @HttpCode(201)
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: Record<string, unknown>) {
    const enterpriseId = parseId(id);
    const input = parseGroupInput('enterprise', body, false);
    return toGroupJson(await this.groups.update(writer(p), 'enterprise', enterpriseId, input), p);
  }

  @Delete(':id')
  @Access('write')
  @HttpCode(200)
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    const enterpriseId = parseId(id);
    await this.groups.remove(writer(p), 'enterprise', enterpriseId);
    return { message: 'Enterprise deleted' };
  }
}
