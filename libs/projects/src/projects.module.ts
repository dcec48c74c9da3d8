import { Global, Module } from '@nestjs/common';
import { ActionsService } from './actions.service.js';
import { ContactsService } from './contacts.service.js';
import { FloorsService } from './floors.service.js';
import { ProjectCollectionsService } from './groups.service.js';
import { LeadsService } from './leads.service.js';
import { PeopleRepository } from './people.repository.js';
import { PlanpointProjectsService } from './planpoint-projects.service.js';
import { ProjectsService } from './projects.service.js';
import { TasksService } from './tasks.service.js';
import { UnitsService } from './units.service.js';

/** Projects (shared by Planfix and Planpoint), tasks, actions and contacts; Planpoint's floors, units, leads, groups, enterprises. */
@Global()
@Module({
  providers: [
    PeopleRepository,
    ContactsService,
    ProjectsService,
    TasksService,
    ActionsService,
    PlanpointProjectsService,
    FloorsService,
    UnitsService,
    LeadsService,
    ProjectCollectionsService,
  ],
  exports: [
    PeopleRepository,
    ContactsService,
    ProjectsService,
    TasksService,
    ActionsService,
    PlanpointProjectsService,
    FloorsService,
    UnitsService,
    LeadsService,
    ProjectCollectionsService,
  ],
})
export class ProjectsModule {}
