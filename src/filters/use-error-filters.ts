// @UseErrorFilters: the error filters of a controller (all its routes) or one route.

import { RouteDefinitionError } from '../errors';
import { listDecorator } from '../routing/list-decorator';
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
  return listDecorator('errorFilters', '@UseErrorFilters', filters);
}
