import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { PRINCIPAL_KEY, type Principal, type RequestWithPrincipal } from '#identity';

/** The Principal on a public route, or undefined for an anonymous caller. */
export const OptionalPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | undefined => ctx.switchToHttp().getRequest<RequestWithPrincipal>()[PRINCIPAL_KEY],
);
