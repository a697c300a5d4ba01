// InterceptorChain: a route's interceptors, outermost first, made once at
// bootstrap and run around its handler on every request, on its worker.

import type { HttpRequest, HttpResponse } from '../http/http-types';
import type { AppInstances } from '../routing/app-instances';
import type { Constructor } from '../routing/route-metadata';
import type { Interceptor, InterceptorContext, InterceptorLike } from './interceptor';

export class InterceptorChain {
  private constructor(
    private readonly interceptors: readonly Interceptor[],
    private readonly route: Omit<InterceptorContext, 'req' | 'res'>,
  ) {}

  /** The chain, or `undefined` when the route has no interceptor (the common case costs one check). */
  static of(
    interceptors: readonly InterceptorLike[],
    route: { controller: Constructor; methodName: string; path: string },
    instances: AppInstances,
  ): InterceptorChain | undefined {
    if (interceptors.length === 0) return undefined;
    return new InterceptorChain(
      interceptors.map((interceptor) => instances.of(interceptor, 'Interceptor')),
      route,
    );
  }

  /** Runs the chain around `handler`, which resolves with the handler's value; resolves with the answer. */
  run(req: HttpRequest, res: HttpResponse, handler: () => Promise<unknown>): Promise<unknown> {
    const context: InterceptorContext = { req, res, ...this.route };
    return this.from(0, context, handler);
  }

  private from(index: number, context: InterceptorContext, handler: () => Promise<unknown>): Promise<unknown> {
    if (index === this.interceptors.length) return handler();
    const interceptor = this.interceptors[index] as Interceptor;
    let inner: Promise<unknown> | undefined;
    // Once however often it is called: a retrying interceptor must not run the handler twice.
    const next = (): Promise<unknown> => (inner ??= this.from(index + 1, context, handler));
    try {
      return Promise.resolve(interceptor.intercept(context, next));
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
