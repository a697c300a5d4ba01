// @Route and its method shorthands: declare which requests a method answers.

import { RouteDefinitionError } from '../errors';
import type { HttpMethod } from '../http/http-types';
import { addRoute, type Constructor, type RouteOptions } from './route-metadata';

/**
 * Serves the decorated method at `path` (under its controller's prefix). With
 * no `method` option it answers every method, as in the Go original.
 *
 * @example
 * @Route('/test')
 * test(res: HttpResponse, req: HttpRequest, complete: Complete) {
 *   res.end('<h4>Welcome</h4>');
 *   complete();
 * }
 */
export function Route(path = '', options: RouteOptions = {}): MethodDecorator {
  return (target, propertyKey) => {
    if (typeof target === 'function') {
      throw new RouteDefinitionError(
        `@Route('${path}') on static method ${target.name}.${String(propertyKey)}: routes must be instance methods`,
      );
    }
    addRoute(target.constructor as Constructor, { path, methodName: String(propertyKey), options });
  };
}

type RouteOptionsWithoutMethod = Omit<RouteOptions, 'method'>;

function shorthand(method: HttpMethod) {
  return (path = '', options: RouteOptionsWithoutMethod = {}): MethodDecorator => Route(path, { ...options, method });
}

/** `@Route(path, { method: 'GET' })`; also answers HEAD unless a HEAD route is declared. */
export const Get = shorthand('GET');
export const Post = shorthand('POST');
export const Put = shorthand('PUT');
export const Patch = shorthand('PATCH');
export const Delete = shorthand('DELETE');
