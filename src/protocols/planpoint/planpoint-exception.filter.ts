import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { answerException } from '../../common/wire-error.js';
import { PLANPOINT_ERRORS } from './planpoint-errors.js';

@Catch()
export class PlanpointExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    answerException(exception, host, PLANPOINT_ERRORS);
  }
}
