// @UseGuards: the guards a controller (all its routes) or one route runs behind.

import { RouteDefinitionError } from '../errors';
import { listDecorator } from '../routing/list-decorator';
import type { Constructor } from '../routing/route-metadata';
import { isGuard, type Guard } from './guard';

/**
 * Runs `guards`, in order, before a request to the decorated controller or
 * method becomes a job. App-wide guards (the `guards` option) run first, then
 * the controller's, then the method's; the first refusal answers.
 *
 * @example
 * @Controller('/admin')
 * @UseGuards(AdminGuard)
 * class AdminController { … }
 */
export function UseGuards(...guards: Guard[]): ClassDecorator & MethodDecorator {
  for (const guard of guards) {
    if (!isGuard(guard)) {
      const given = typeof guard === 'function' ? `class ${(guard as Constructor).name}` : String(guard);
      throw new RouteDefinitionError(
        `@UseGuards: a guard must be a class with a canActivate(req, context) method, or an object with one; got ${given}`,
      );
    }
  }
  return listDecorator('guards', '@UseGuards', guards);
}
