import { Body, Controller, HttpCode, Param, Patch } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { DomainError } from '#errors';
import { AccountsService } from '#identity';
import { ProjectSitesService, projectSummary } from '#projects';
import { AdminApi } from './admin-auth.guard.js';

/** The Planpoint additions of the Admin API (docs/planpoint.md): pause and unpause a project. */
@AdminApi()
@Controller('admin/accounts/:slug/planpoint')
export class AdminPlanpointController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly projects: ProjectSitesService,
  ) {}

  @Patch('projects/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause ({"paused":{"value":true,"reason":"billing"}}) or unpause ({"paused":false}) a Planpoint project' })
  async pause(@Param('slug') slug: string, @Param('id') id: string, @Body() body: unknown) {
    const { paused, reason } = parsePause(body);
    const account = await this.accounts.get(slug);
    return projectSummary(await this.projects.setPaused(account.id, id, paused, reason));
  }
}

/** `{"paused": false}` or `{"paused": {"value": true|false, "reason"?: ≤ 255}}`; anything else is 422. */
export function parsePause(body: unknown): { paused: boolean; reason: string | null } {
  const bad = (issue: string) => DomainError.invalid([{ field: 'paused', issue }], 'invalid fields');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the body must be {"paused": …}');
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'paused') throw bad('the body must have exactly the field paused');
  const paused = (body as { paused: unknown }).paused;
  if (typeof paused === 'boolean') return { paused, reason: null };
  if (typeof paused !== 'object' || paused === null || Array.isArray(paused)) throw bad('must be false or {value, reason}');
  const { value, reason, ...rest } = paused as Record<string, unknown>;
  if (Object.keys(rest).length || typeof value !== 'boolean') throw bad('must be false or {value, reason}');
  if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > 255))
    throw bad('reason must be a string of up to 255 characters');
  return { paused: value, reason: value ? ((reason as string | null | undefined) ?? 'paused') : null };
}
