// What a guard is: a yes or no on a request, asked before it becomes a job.

import type { HttpRequest } from '../http/http-types';
import { hasMethod } from '../routing/app-instances';
import type { Constructor } from '../routing/route-metadata';

/** Which route a guard is asked about, for guards that read the route's own metadata (roles, scopes). */
export interface GuardContext {
  /** The controller class. */
  readonly controller: Constructor;
  /** The handler's method name on it. */
  readonly methodName: string;
  /** The route's full path pattern, e.g. `/api/users/:id`. */
  readonly path: string;
}

/**
 * Decides whether a request may run. It sees the request's method, URL,
 * headers, params and query, not its body: guards run before the body is
 * read, so a refused upload is never read and a refused request never takes
 * a worker or a queue slot. `false` answers 403; a thrown `HttpError` answers
 * its own status (401 with `WWW-Authenticate`, say); anything else thrown, 500.
 */
export interface CanActivate {
  canActivate(req: HttpRequest, context: GuardContext): boolean | Promise<boolean>;
}

/** A guard as `@UseGuards` and the `guards` option take it: a class the app's container makes, or an instance. */
export type Guard = Constructor<CanActivate> | CanActivate;

/** Whether `value` can be a guard: a class whose instances have `canActivate`, or an object that has it. */
export function isGuard(value: unknown): value is Guard {
  return hasMethod(value, 'canActivate');
}
