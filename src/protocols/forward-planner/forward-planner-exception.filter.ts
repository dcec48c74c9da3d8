import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { answerException } from '../../common/wire-error.js';
import { FORWARD_PLANNER_ERRORS } from './forward-planner-errors.js';

@Catch()
export class ForwardPlannerExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    answerException(exception, host, FORWARD_PLANNER_ERRORS);
  }
}
