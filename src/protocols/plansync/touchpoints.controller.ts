import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '#identity';
import { QUARTERS, TouchpointsService, type Quarter } from '#planning';
import { PlanSyncApi } from './plansync-auth.guard.js';
import { Issues } from './wire/pydantic-issues.js';
import { optionalText, parseYear } from './wire/plansync-query.js';
import { touchpointBody } from './wire/plansync.serializers.js';
import { parseTouchpointCreate, parseTouchpointUpdate } from './wire/touchpoint-body.js';

const YEAR_QUERY = {
  name: 'year',
  required: true,
  description: 'Reporting-year table',
  schema: { type: 'integer', minimum: 1900, maximum: 2100 },
} as const;

const TOUCHPOINT_SCHEMA = {
  type: 'object',
  required: ['company_name', 'touchpoints', 'reporting_quarter', 'reporting_year'],
  properties: {
    company_name: { type: 'string', minLength: 1, maxLength: 255, example: 'Acme Corp' },
    touchpoints: { type: 'string', minLength: 1, maxLength: 5000, example: 'Quarterly review call' },
    reporting_quarter: { type: 'string', enum: [...QUARTERS] },
    reporting_year: { type: 'string', pattern: '^\\d{4}$', example: '2025' },
    stakeholders: { type: 'string', nullable: true, maxLength: 500, example: 'Plan Sponsor, TPA' },
    date: { type: 'string', format: 'date', description: 'default: today (UTC)' },
    time_spent: { type: 'number', nullable: true, minimum: 0, maximum: 100000, description: 'minutes' },
    include_in_annual_review_report: { type: 'string', enum: ['Yes', 'No'], default: 'No' },
  },
};

function year(query: Record<string, unknown>): number {
  const issues = new Issues();
  const y = parseYear(issues, query);
  issues.throwIfAny();
  return y!;
}

@PlanSyncApi()
@Controller('api/v1/touchpoints')
export class TouchpointsController {
  constructor(private readonly touchpoints: TouchpointsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a touchpoint (200, not 201)' })
  @ApiQuery(YEAR_QUERY)
  @ApiBody({ schema: TOUCHPOINT_SCHEMA })
  async create(@CurrentPrincipal() p: Principal, @Query() query: Record<string, unknown>, @Body() body: unknown) {
    const y = year(query);
    const t = await this.touchpoints.create(p, y, parseTouchpointCreate(body));
    return { message: 'Touchpoint created successfully', unid: t.unid, touchpoint: touchpointBody(t) };
  }

  @Get()
  @ApiOperation({ summary: "List the year's touchpoints the caller may see, newest date first" })
  @ApiQuery(YEAR_QUERY)
  @ApiQuery({ name: 'company_name', required: false })
  @ApiQuery({ name: 'quarter', required: false, enum: [...QUARTERS] })
  @ApiQuery({ name: 'stakeholder', required: false })
  async list(@CurrentPrincipal() p: Principal, @Query() query: Record<string, unknown>) {
    const issues = new Issues();
    const y = parseYear(issues, query);
    const quarter = optionalText(query, 'quarter');
    if (quarter !== undefined && !(QUARTERS as readonly string[]).includes(quarter))
      issues.enumeration(['query', 'quarter'], quarter, QUARTERS);
    issues.throwIfAny();
    const rows = await this.touchpoints.list(p, y!, {
      companyName: optionalText(query, 'company_name'),
      quarter: quarter as Quarter | undefined,
      stakeholder: optionalText(query, 'stakeholder'),
    });
    return { year: y, count: rows.length, data: rows.map(touchpointBody) };
  }

  @Put(':touchpoint_id')
  @ApiOperation({ summary: 'Partial update; null clears stakeholders or time_spent' })
  @ApiParam({ name: 'touchpoint_id', format: 'uuid' })
  @ApiQuery(YEAR_QUERY)
  @ApiBody({ schema: { ...TOUCHPOINT_SCHEMA, required: [] } })
  async update(
    @CurrentPrincipal() p: Principal,
    @Param('touchpoint_id') id: string,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
  ) {
    const y = year(query);
    const t = await this.touchpoints.update(p, y, id, parseTouchpointUpdate(body));
    return { message: 'Touchpoint updated successfully', unid: t.unid, touchpoint: touchpointBody(t) };
  }

  @Delete(':touchpoint_id')
  @ApiOperation({ summary: 'Delete a touchpoint' })
  @ApiParam({ name: 'touchpoint_id', format: 'uuid' })
  @ApiQuery(YEAR_QUERY)
  async remove(@CurrentPrincipal() p: Principal, @Param('touchpoint_id') id: string, @Query() query: Record<string, unknown>) {
    const y = year(query);
    await this.touchpoints.delete(p, y, id);
    return { message: 'Touchpoint deleted successfully', unid: id };
  }
}
