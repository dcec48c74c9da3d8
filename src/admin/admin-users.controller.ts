import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { UsersService } from '#identity';
import { AdminApi } from './admin-auth.guard.js';
import { CreateUserDto, UpdateUserDto } from './wire/admin.dto.js';
import { userBody } from './wire/admin.serializers.js';

@AdminApi()
@Controller('admin/accounts/:slug/users')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a user in the account (username and e-mail unique across the gateway)' })
  async create(@Param('slug') slug: string, @Body() body: CreateUserDto) {
    const { assigned_clients, ...rest } = body;
    return userBody(await this.users.create(slug, { ...rest, assignedClients: assigned_clients }));
  }

  @Get()
  @ApiOperation({ summary: "List the account's users" })
  async list(@Param('slug') slug: string) {
    const users = await this.users.list(slug);
    return { users: users.map(userBody), count: users.length };
  }

  @Get(':username')
  @ApiOperation({ summary: 'Show a user' })
  async show(@Param('slug') slug: string, @Param('username') username: string) {
    return userBody(await this.users.get(slug, username));
  }

  @Patch(':username')
  @ApiOperation({ summary: 'Change e-mail, role, assigned clients, password or active (false refuses every credential at once)' })
  async update(@Param('slug') slug: string, @Param('username') username: string, @Body() body: UpdateUserDto) {
    const { assigned_clients, ...rest } = body;
    return userBody(await this.users.update(slug, username, { ...rest, assignedClients: assigned_clients }));
  }
}
