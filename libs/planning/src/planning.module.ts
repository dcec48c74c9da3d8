import { Global, Module } from '@nestjs/common';
import { CompaniesRepository } from './companies.repository.js';
import { SpreadsheetsService } from './spreadsheets.service.js';
import { TouchpointsService } from './touchpoints.service.js';

@Global()
@Module({
  providers: [CompaniesRepository, SpreadsheetsService, TouchpointsService],
  exports: [CompaniesRepository, SpreadsheetsService, TouchpointsService],
})
export class PlanningModule {}
