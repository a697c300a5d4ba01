// What an interceptor is: code around a route's handler, on its worker.

import type { HttpRequest, HttpResponse } from '../http/http-types';
import { hasMethod } from '../routing/app-instances';
import type { Constructor } from '../routing/route-metadata';

/** The request an interceptor wraps, and the route it is for. */
export interface InterceptorContext {
  readonly req: HttpRequest;
  readonly res: HttpResponse;
  readonly controller: Constructor;
  readonly methodName: string;
  /** The route's full path pattern, e.g. `/api/users/:id`. */
  readonly path: string;
}

/**
 * Runs around the handler, on the request's worker. `next()` runs the rest of
 * the chain (the handler last) and resolves with the value it returned (or
 * `undefined` once a `complete`-style handler calls `complete()`), or rejects
 * with what it threw. What `intercept` returns (or resolves) is the answer,
 * sent as a returned value is: map it, time the call, catch and replace an
 * error, or answer without calling `next` at all. `next` runs the handler
 * once however often it is called.
 */
export interface Interceptor {
  intercept(context: InterceptorContext, next: () => Promise<unknown>): unknown;
}

/** An interceptor as `@UseInterceptors` and the `interceptors` option take it: a class the app's container makes, or an instance. */
export type InterceptorLike = Constructor<Interceptor> | Interceptor;

/** Whether `value` can be an interceptor: a class whose instances have `intercept`, or an object that has it. */
export function isInterceptor(value: unknown): value is InterceptorLike {
  return hasMethod(value, 'intercept');
}
