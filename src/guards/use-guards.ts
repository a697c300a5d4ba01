// @UseGuards: the guards a controller (all its routes) or one route runs behind.

import { RouteDefinitionError } from '../errors';
import { addToList, type Constructor } from '../routing/route-metadata';
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
  return ((target: object, propertyKey?: string | symbol) => {
    if (propertyKey === undefined) {
      addToList('guards', target as Constructor, undefined, guards);
    } else if (typeof target === 'function') {
      throw new RouteDefinitionError(
        `@UseGuards on static method ${target.name}.${String(propertyKey)}: routes must be instance methods`,
      );
    } else {
      addToList('guards', target.constructor as Constructor, String(propertyKey), guards);
    }
  }) as ClassDecorator & MethodDecorator;
}
