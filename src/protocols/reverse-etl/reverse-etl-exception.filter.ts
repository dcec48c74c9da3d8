import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { answerException } from '../../common/wire-error.js';
import { REVERSE_ETL_ERRORS } from './reverse-etl-errors.js';

@Catch()
export class ReverseEtlExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    answerException(exception, host, REVERSE_ETL_ERRORS);
  }
}
