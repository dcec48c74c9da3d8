import { applyDecorators, Inject, Injectable, UseGuards, UsePipes, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../docs/api-docs.js';
import { type Request } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError } from '#errors';
import { sameString } from '#identity';
import { StrictBodyPipe } from '../common/strict-body.pipe.js';
import { Admits } from '../pipeline/admission.js';

/** `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export function hasAdminToken(req: Request, adminToken: string): boolean {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return !!m && sameString(m[1], adminToken);
}

export function adminTokenRequired(): DomainError {
  return DomainError.unauthenticated('a valid admin token is required: Authorization: Bearer <ADMIN_TOKEN>');
}

@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (!hasAdminToken(context.switchToHttp().getRequest<Request>(), this.config.adminToken)) throw adminTokenRequired();
    return true;
  }
}

/** Everything an Admin API controller needs: the guard, strict bodies, the error format, the docs. */
export function AdminApi(): ClassDecorator {
  return applyDecorators(
    ApiTags('admin'),
    ApiBearerAuth('admin'),
    ApiErrors([
      {
        status: 401,
        description: 'missing or wrong admin token',
        example: { error: { code: 'unauthorized', message: 'a valid admin token is required: Authorization: Bearer <ADMIN_TOKEN>' } },
      },
      {
        status: 422,
        description: 'invalid or unknown fields',
        example: {
          error: {
            code: 'invalid_fields',
            message: 'invalid fields',
            details: [{ field: 'plan', issue: 'must be one of the following values: free, basic, pro, premium' }],
          },
        },
      },
    ]),
    Admits({ credential: 'Bearer admin token' }),
    UseGuards(AdminAuthGuard),
    UsePipes(StrictBodyPipe),
  );
}
