import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { answerException } from '../../common/wire-error.js';
import { PLANFIX_ERRORS } from './planfix-errors.js';

@Catch()
export class PlanfixExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    answerException(exception, host, PLANFIX_ERRORS);
  }
}
