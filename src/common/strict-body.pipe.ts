import { Injectable, ValidationPipe, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { type ValidationError } from 'class-validator';
import { DomainError, type FieldIssue } from '#errors';

function issues(errors: ValidationError[], parent = ''): FieldIssue[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      // class-validator writes "property x should not exist" for unknown fields; say it plainly.
      issue: message.endsWith('should not exist') ? 'unknown field' : message.replace(new RegExp(`^${e.property} `), ''),
    }));
    return [...own, ...issues(e.children ?? [], field)];
  });
}

/**
 * Validates a JSON body against its DTO: an object only, no unknown fields, no type coercion. Failures are a
 * domain INVALID naming each field, rendered by the protocol's own filter.
 */
@Injectable()
export class StrictBodyPipe implements PipeTransform {
  private readonly inner = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => DomainError.invalid(issues(errors), 'invalid fields'),
  });

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body') return value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw DomainError.invalid([{ field: 'body', issue: 'must be a JSON object' }], 'the body must be a JSON object');
    }
    return this.inner.transform(value, metadata);
  }
}
