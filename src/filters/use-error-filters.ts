// @UseErrorFilters: the error filters of a controller (all its routes) or one route.

import { RouteDefinitionError } from '../errors';
import { addToList, type Constructor } from '../routing/route-metadata';
import { isErrorFilter, type ErrorFilter } from './error-filter';

/**
 * Maps errors thrown on the decorated controller's or method's routes to
 * answers. The method's filters are asked first, then the controller's, then
 * the app's (`errorFilters` option); the first that answers wins.
 *
 * @example
 * @Controller('/api')
 * @UseErrorFilters(ProblemJsonFilter)
 * class ApiController { … }
 */
export function UseErrorFilters(...filters: ErrorFilter[]): ClassDecorator & MethodDecorator {
  for (const filter of filters) {
    if (!isErrorFilter(filter)) {
      throw new RouteDefinitionError(
        `@UseErrorFilters: a filter must be a class with a catch(error, req, context) method, an object with one, or a function; got ${String(filter)}`,
      );
    }
  }
  return ((target: object, propertyKey?: string | symbol) => {
    if (propertyKey === undefined) {
      addToList('errorFilters', target as Constructor, undefined, filters);
    } else if (typeof target === 'function') {
      throw new RouteDefinitionError(
        `@UseErrorFilters on static method ${target.name}.${String(propertyKey)}: routes must be instance methods`,
      );
    } else {
      addToList('errorFilters', target.constructor as Constructor, String(propertyKey), filters);
    }
  }) as ClassDecorator & MethodDecorator;
}
