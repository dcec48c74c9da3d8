import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { DomainError } from '#errors';
import { EventsService, type EventSelection } from '#events';
import { CurrentPrincipal, type Principal } from '#identity';
import { ForwardPlannerApi } from './forward-planner-auth.guard.js';
import { FpQuery, parseDate, parseFilters, parseItemId, parsePaging, parseSince } from './wire/fp-query.js';
import { sendJsonText } from './wire/fp-response.js';
import { renderEventJson } from './wire/fp-serializers.js';
import { eventViewer } from './forward-planner-settings.js';

const LIST_QUERIES = [
  { name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
  { name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 5000, default: 100 } },
  { name: 'categoryId', required: false, description: 'comma list of ids' },
  { name: 'eventTypeId', required: false, description: 'comma list of ids' },
  { name: 'countryId', required: false, description: 'comma list of ids' },
  { name: 'keyword', required: false, description: 'case-insensitive substring of summary, description, venue, organisationName' },
  { name: 'isHeadline', required: false, schema: { type: 'boolean' } },
] as const;
const DATE = (name: string) => ({ name, required: true, description: 'yyyyMMdd', example: '20300615' });

function ListQueries(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const q of LIST_QUERIES) ApiQuery(q)(target, key, descriptor);
  };
}

/** The event feed (docs/forward-planner.md): bare arrays of visible events; an empty array ends paging. */
@ForwardPlannerApi()
@Controller('api/v2/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get('date')
  @ApiOperation({ summary: 'Events on a day (every day of a multi-day event), by start date, all-day first, itemId' })
  @ApiQuery(DATE('date'))
  @ListQueries()
  date(@CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response) {
    const q = new FpQuery(req.url);
    return this.list(p, req, res, q, { kind: 'date', date: parseDate(q, 'date')! });
  }

  @Get('between')
  @ApiOperation({ summary: 'Events overlapping an inclusive date range' })
  @ApiQuery(DATE('startDate'))
  @ApiQuery(DATE('endDate'))
  @ListQueries()
  between(@CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response) {
    const q = new FpQuery(req.url);
    const start = parseDate(q, 'startDate')!;
    const end = parseDate(q, 'endDate')!;
    if (end < start) throw DomainError.invalid([{ field: 'endDate', issue: 'before startDate' }], 'endDate must not be before startDate');
    return this.list(p, req, res, q, { kind: 'between', start, end });
  }

  @Get('latest')
  @ApiOperation({ summary: 'Events changed since a Europe/London date and time, deleted ones as tombstones, by change instant' })
  @ApiQuery(DATE('date'))
  @ApiQuery({ name: 'time', required: false, description: 'HHmm, default 0000', example: '0930' })
  @ListQueries()
  latest(@CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response) {
    const q = new FpQuery(req.url);
    return this.list(p, req, res, q, { kind: 'latest', since: parseSince(q) });
  }

  @Get(':itemId')
  @ApiOperation({ summary: 'One event: 404 unknown, 403 not entitled or under embargo, a tombstone with deleted: true' })
  @ApiParam({ name: 'itemId', schema: { type: 'integer', minimum: 1, maximum: 2147483647 } })
  @ApiResponse({ status: 200, description: 'the event, every field of the vendor model (docs/forward-planner.md)' })
  async one(@CurrentPrincipal() p: Principal, @Param('itemId') itemId: string, @Req() req: Request, @Res() res: Response) {
    const event = await this.events.get(eventViewer(p), parseItemId(itemId));
    await sendJsonText(req, res, renderEventJson(event));
  }

  private async list(p: Principal, req: Request, res: Response, q: FpQuery, selection: EventSelection): Promise<void> {
    const filters = parseFilters(q);
    const paging = parsePaging(q);
    const page = await this.events.page(eventViewer(p), selection, filters, paging);
    await sendJsonText(req, res, `[${page.map(renderEventJson).join(',')}]`);
  }
}
