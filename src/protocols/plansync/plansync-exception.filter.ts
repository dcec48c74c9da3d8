import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { answerException } from '../../common/wire-error.js';
import { PLANSYNC_ERRORS } from './plansync-errors.js';

@Catch()
export class PlanSyncExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    answerException(exception, host, PLANSYNC_ERRORS);
  }
}
