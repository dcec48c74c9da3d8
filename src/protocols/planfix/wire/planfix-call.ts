import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Principal } from '#identity';
import { type XmlParams } from './xml-params.js';

/** The 21 methods of docs/planfix.md (and auth.login). */
export const PLANFIX_METHODS = [
  'auth.login',
  'project.getList',
  'project.get',
  'project.add',
  'project.update',
  'task.getList',
  'task.get',
  'task.add',
  'task.update',
  'task.changeStatus',
  'taskStatus.getSetList',
  'taskStatus.getListOfSet',
  'action.getList',
  'action.get',
  'action.add',
  'contact.getList',
  'contact.get',
  'contact.add',
  'contact.update',
  'user.getList',
  'user.get',
] as const;
export type PlanfixMethod = (typeof PLANFIX_METHODS)[number];

export function isPlanfixMethod(name: string | undefined): name is PlanfixMethod {
  return (PLANFIX_METHODS as readonly string[]).includes(name ?? '');
}

/** One authenticated call, as the guard leaves it for the controller. */
export interface PlanfixCall {
  method: PlanfixMethod;
  /** The `<request>` element. */
  params: XmlParams;
  /** The acting user (session or token); for auth.login, the Basic key's user. */
  principal: Principal;
  /** The Basic key (a session opened by auth.login belongs to it). */
  basicKeyId: string;
  ip: string;
}

export interface RequestWithPlanfix {
  planfix?: {
    /** `X-RateLimit-Remaining` of this request (0 until the limits have been passed). */
    remaining: number;
    call?: PlanfixCall;
  };
}

/** The call the guard authenticated. */
export const CurrentCall = createParamDecorator((_data: unknown, ctx: ExecutionContext): PlanfixCall => {
  const call = ctx.switchToHttp().getRequest<RequestWithPlanfix>().planfix?.call;
  if (!call) throw new Error('CurrentCall used on a route whose guard resolved no call');
  return call;
});
