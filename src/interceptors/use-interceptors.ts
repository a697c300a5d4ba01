// @UseInterceptors: the interceptors around a controller's (all its routes') or one route's handler.

import { RouteDefinitionError } from '../errors';
import { listDecorator } from '../routing/list-decorator';
import type { Constructor } from '../routing/route-metadata';
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
  return listDecorator('interceptors', '@UseInterceptors', interceptors);
}
