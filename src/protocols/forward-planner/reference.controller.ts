import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { EventsService } from '#events';
import { CurrentPrincipal, type Principal } from '#identity';
import { ForwardPlannerApi } from './forward-planner-auth.guard.js';
import { sendJson } from './wire/fp-response.js';
import { renderCategories, renderCountries, renderEventTypes } from './wire/fp-serializers.js';
import { eventViewer } from './forward-planner-settings.js';

/** Reference lists from the account's non-deleted, product-entitled events (embargo ignored), read from the heads the event import and delete keep (#events); paging ignored. */
@ForwardPlannerApi()
@Controller('api/v2')
export class ReferenceController {
  constructor(private readonly events: EventsService) {}

  @Get('categories')
  @ApiOperation({ summary: 'Distinct categories and primary categories, by categoryOrder, categoryId' })
  async categories(@CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response) {
    await sendJson(req, res, renderCategories(await this.events.categories(eventViewer(p))));
  }

  @Get('eventtypes')
  @ApiOperation({ summary: 'Distinct event types {tagId, tagName, tagTypeId, tagTypeName}, by tagName, tagId' })
  async eventTypes(@CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response) {
    await sendJson(req, res, renderEventTypes(await this.events.eventTypes(eventViewer(p))));
  }

  @Get('countries')
  @ApiOperation({ summary: 'Distinct countries {countryId, countryName, region, countryCode}, by countryName, countryId' })
  async countries(@CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response) {
    await sendJson(req, res, renderCountries(await this.events.countries(eventViewer(p))));
  }
}
