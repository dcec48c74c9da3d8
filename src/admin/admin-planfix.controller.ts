import { Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { DateTime } from 'luxon';
import { AccountsService, SigningKeysService } from '#identity';
import { Limiter } from '#limits';
import { ProtocolRegistry } from '../pipeline/protocol.js';
import { AdminApi } from './admin-auth.guard.js';

/** The Planfix additions of the Admin API (docs/planfix.md): the signing key and the day's usage. */
@AdminApi()
@Controller('admin/accounts/:slug/planfix')
export class AdminPlanfixController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly signingKeys: SigningKeysService,
    private readonly limiter: Limiter,
    private readonly protocols: ProtocolRegistry,
  ) {}

  @Post('signing-key')
  @ApiOperation({ summary: 'Issue the Planfix signing key (shown this once; replaces any previous one)' })
  async issue(@Param('slug') slug: string) {
    const { signingKey, createdAt } = await this.signingKeys.issue(slug);
    return { signing_key: signingKey, created_at: createdAt };
  }

  @Delete('signing-key')
  @ApiOperation({ summary: 'Delete the Planfix signing key (409 while strict_signature is on, 404 if none)' })
  async remove(@Param('slug') slug: string) {
    await this.signingKeys.remove(slug);
    return { deleted: true };
  }

  @Get('usage')
  @ApiOperation({ summary: "Today's Planfix request count against the daily quota, in the account's time zone" })
  async usage(@Param('slug') slug: string) {
    const account = await this.accounts.get(slug);
    const { policy, subject } = this.protocols.named('planfix').accountQuota!(account.settings, account);
    const now = Date.now();
    const peek = await this.limiter.peek(policy, subject, now);
    // the policy's calendar day: its limit is the daily quota, its time zone the account's
    const day = policy.windows.findIndex((w) => w.kind === 'fixed' && w.unit === 'day');
    const window = policy.windows[day];
    if (window?.kind !== 'fixed') throw new Error('the Planfix policy has no daily window');
    const timezone = window.timeZone ?? 'UTC';
    const quota = window.limit;
    const count = peek.used[day] ?? 0;
    return {
      day: DateTime.fromMillis(now, { zone: timezone }).toISODate(),
      timezone,
      count,
      quota,
      remaining: Math.max(0, quota - count),
    };
  }
}
