import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AccountsService, SettingsRegistry, type Account } from '#identity';
import { AdminApi } from './admin-auth.guard.js';
import { CreateAccountDto, UpdateAccountDto } from './wire/admin.dto.js';
import { accountBody } from './wire/admin.serializers.js';

@AdminApi()
@Controller('admin/accounts')
export class AdminAccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly settings: SettingsRegistry,
  ) {}

  private body(a: Account) {
    return accountBody(a, this.settings);
  }

  @Post()
  @ApiOperation({ summary: 'Create an account (tenant)' })
  async create(@Body() body: CreateAccountDto) {
    return this.body(await this.accounts.create(body));
  }

  @Get()
  @ApiOperation({ summary: 'List accounts' })
  async list() {
    const accounts = await this.accounts.list();
    return { accounts: accounts.map((a) => this.body(a)), count: accounts.length };
  }

  @Get(':slug')
  @ApiOperation({ summary: 'Show an account with its users count and effective settings' })
  async show(@Param('slug') slug: string) {
    return this.body(await this.accounts.get(slug));
  }

  @Patch(':slug')
  @ApiOperation({ summary: 'Change name, plan, status or settings (merged field by field)' })
  async update(@Param('slug') slug: string, @Body() body: UpdateAccountDto) {
    return this.body(await this.accounts.update(slug, body));
  }
}
