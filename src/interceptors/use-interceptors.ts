// @UseInterceptors: the interceptors around a controller's (all its routes') or one route's handler.

import { RouteDefinitionError } from '../errors';
import { addToList, type Constructor } from '../routing/route-metadata';
import { isInterceptor, type InterceptorLike } from './interceptor';

/**
 * Wraps the decorated controller's or method's handlers. App-wide
 * interceptors (the `interceptors` option) are outermost, then the
 * controller's, then the method's, nearest the handler.
 *
 * @example
 * @Controller('/api')
 * @UseInterceptors(TimingInterceptor)
 * class ApiController { … }
 */
export function UseInterceptors(...interceptors: InterceptorLike[]): ClassDecorator & MethodDecorator {
  for (const interceptor of interceptors) {
    if (!isInterceptor(interceptor)) {
      const given =
        typeof interceptor === 'function' ? `class ${(interceptor as Constructor).name}` : String(interceptor);
      throw new RouteDefinitionError(
        `@UseInterceptors: an interceptor must be a class with an intercept(context, next) method, or an object with one; got ${given}`,
      );
    }
  }
  return ((target: object, propertyKey?: string | symbol) => {
    if (propertyKey === undefined) {
      addToList('interceptors', target as Constructor, undefined, interceptors);
    } else if (typeof target === 'function') {
      throw new RouteDefinitionError(
        `@UseInterceptors on static method ${target.name}.${String(propertyKey)}: routes must be instance methods`,
      );
    } else {
      addToList('interceptors', target.constructor as Constructor, String(propertyKey), interceptors);
    }
  }) as ClassDecorator & MethodDecorator;
}
