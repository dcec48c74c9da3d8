import { Global, Module } from '@nestjs/common';
import { ActionsService } from './actions.service.js';
import { ContactsService } from './contacts.service.js';
import { FloorsService } from './floors.service.js';
import { ProjectCollectionsService } from './groups.service.js';
import { LeadsService } from './leads.service.js';
import { PeopleRepository } from './people.repository.js';
import { ProjectSitesService } from './project-sites.service.js';
import { ProjectsRepository } from './projects.repository.js';
import { ProjectsService } from './projects.service.js';
import { TasksService } from './tasks.service.js';
import { UnitsService } from './units.service.js';

const PROVIDERS = [
  PeopleRepository,
  ContactsService,
  ProjectsRepository,
  ProjectsService,
  ProjectSitesService,
  TasksService,
  ActionsService,
  FloorsService,
  UnitsService,
  LeadsService,
  ProjectCollectionsService,
];

/**
 * Projects with their floors and units (one aggregate, written by ProjectsRepository and read as planning records or
 * as public sites), tasks, actions, contacts, leads, and collections of projects.
 */
@Global()
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class ProjectsModule {}
