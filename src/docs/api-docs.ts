import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiResponse } from '@nestjs/swagger';

/**
 * Small OpenAPI helpers so that each protocol documents its bodies and answers by example in one line per route
 * (the wire shapes are hand-written per protocol, not DTO classes, so an example says more than a schema).
 */

/** A JSON request body, by example. */
export function ApiJsonBody(example: Record<string, unknown> | unknown[], description?: string): MethodDecorator {
  return ApiBody({ description, schema: { type: Array.isArray(example) ? 'array' : 'object', example } });
}

/** The success answer, by example. */
export function ApiAnswer(status: number, example: unknown, description = 'success'): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, content: { 'application/json': { example } } });
}

/** A protocol's error format (at the controller: every route answers its errors so), by example. */
export function ApiErrors(examples: { status: number; description: string; example: unknown }[]): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ...examples.map((e) =>
      ApiResponse({ status: e.status, description: e.description, content: { 'application/json': { example: e.example } } }),
    ),
  );
}
