import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { answerException } from '../common/wire-error.js';
import { ADMIN_ERRORS } from './admin-errors.js';

@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    answerException(exception, host, ADMIN_ERRORS);
  }
}
