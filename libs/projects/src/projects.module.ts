import { Global, Module } from '@nestjs/common';
import { ActionsService } from './actions.service.js';
import { ContactsService } from './contacts.service.js';
import { PeopleRepository } from './people.repository.js';
import { ProjectsService } from './projects.service.js';
import { TasksService } from './tasks.service.js';

/** Projects (shared by Planfix and Planpoint), tasks, actions and contacts. */
@Global()
@Module({
  providers: [PeopleRepository, ContactsService, ProjectsService, TasksService, ActionsService],
  exports: [PeopleRepository, ContactsService, ProjectsService, TasksService, ActionsService],
})
export class ProjectsModule {}
