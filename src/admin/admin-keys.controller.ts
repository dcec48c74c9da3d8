import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { ApiKeysService } from '#identity';
import { AdminApi } from './admin-auth.guard.js';
import { CreateKeyDto } from './wire/admin.dto.js';
import { keyBody } from './wire/admin.serializers.js';

@AdminApi()
@Controller('admin/accounts/:slug/users/:username/keys')
export class AdminKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create a named API key: the secret is in this answer and never again' })
  async create(@Param('slug') slug: string, @Param('username') username: string, @Body() body: CreateKeyDto) {
    const created = await this.keys.create(slug, username, body.name);
    const { id, name, prefix, created_at } = keyBody(created);
    return { id, name, prefix, key: created.key, created_at };
  }

  @Get()
  @ApiOperation({ summary: "List the user's keys (never a secret)" })
  async list(@Param('slug') slug: string, @Param('username') username: string) {
    const keys = await this.keys.list(slug, username);
    return { keys: keys.map(keyBody), count: keys.length };
  }

  @Delete(':name')
  @ApiOperation({ summary: 'Revoke a key: immediate and permanent, on every protocol and instance' })
  async revoke(@Param('slug') slug: string, @Param('username') username: string, @Param('name') name: string) {
    const revoked = await this.keys.revoke(slug, username, name);
    return { name: revoked.name, revoked_at: revoked.revokedAt };
  }
}
