import { Controller, Delete, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import { type Request } from 'express';
import { DomainError } from '#errors';
import { EventsService, londonStamp, normalizeEventImport } from '#events';
import { AccountsService } from '#identity';
import { AdminApi } from './admin-auth.guard.js';

function itemIdOf(raw: string): number {
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > 2_147_483_647) {
    throw DomainError.invalid([{ field: 'itemId', issue: 'must be an integer from 1 to 2147483647' }]);
  }
  return Number(raw);
}

/** The operator loads and deletes an account's Forward Planner events (docs/forward-planner.md). */
@AdminApi()
@Controller('admin/accounts/:slug/events')
export class AdminEventsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly events: EventsService,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Upsert 1–5,000 events by itemId (≤ 20 MiB), all or nothing' })
  @ApiBody({
    schema: { type: 'array', items: { type: 'object' }, example: [{ itemId: 4112034, summary: 'Forum', startDate: '2030-06-15' }] },
  })
  async import(@Param('slug') slug: string, @Req() req: Request) {
    const account = await this.accounts.get(slug);
    const batch = normalizeEventImport(req.body);
    const r = await this.events.import(account.id, batch);
    return { inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, ignored_fields: r.ignoredFields };
  }

  @Delete(':itemId')
  @ApiOperation({ summary: 'Delete an event: a tombstone that events/latest shows; repeating it changes nothing' })
  async remove(@Param('slug') slug: string, @Param('itemId') rawItemId: string) {
    const itemId = itemIdOf(rawItemId);
    const account = await this.accounts.get(slug);
    const { deletedMs } = await this.events.delete(account.id, itemId);
    return { itemId, deleted: true, deletionDate: londonStamp(deletedMs) };
  }
}
