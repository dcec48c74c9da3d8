import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Principal } from './principal.js';

/** Where a protocol guard leaves the resolved Principal on the request. */
export const PRINCIPAL_KEY = 'principal';

export interface RequestWithPrincipal {
  [PRINCIPAL_KEY]?: Principal;
}

/** The Principal resolved by the controller's guard; a handler without a guard gets an error, not undefined. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>()[PRINCIPAL_KEY];
  if (!principal) throw new Error('CurrentPrincipal used on a route whose guard resolved no principal');
  return principal;
});
