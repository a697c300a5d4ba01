// What an error filter is: a mapping from a thrown error to the answer the
// client gets, in place of httppool's JSON error shape.

import type { HttpRequest } from '../http/http-types';
import { hasMethod } from '../routing/app-instances';
import type { Constructor } from '../routing/route-metadata';

/** The answer a filter chose. `body` is sent as a returned value is: a string as text, bytes as bytes, else JSON. */
export interface ErrorAnswer {
  status: number;
  headers?: Readonly<Record<string, string | readonly string[]>>;
  body?: unknown;
}

/** Where the error happened, for filters that answer per route. */
export interface ErrorFilterContext {
  /** The status httppool's own answer would have. */
  readonly status: number;
  /** The route the request was for; absent when none matched (404, 405) or before routing. */
  readonly route?: {
    readonly controller: Constructor;
    readonly methodName: string;
    readonly path: string;
  };
}

/**
 * Maps an error to an answer, or returns `undefined` to leave it to the next
 * filter (method's, then controller's, then app-wide), and at last to the
 * default JSON shape. Synchronous: filters run on every error path,
 * deadlines and sheds included, where an answer cannot wait.
 */
export interface CatchErrors {
  catch(error: unknown, req: HttpRequest, context: ErrorFilterContext): ErrorAnswer | undefined;
}

/** A filter as `@UseErrorFilters` and the `errorFilters` option take it: a class (made by the app's container), an object, or a function. */
export type ErrorFilter =
  | Constructor<CatchErrors>
  | CatchErrors
  | ((error: unknown, req: HttpRequest, context: ErrorFilterContext) => ErrorAnswer | undefined);

/** Whether `value` can be an error filter. */
export function isErrorFilter(value: unknown): value is ErrorFilter {
  if (typeof value === 'function') {
    // A class must have catch(); any other function is a filter function.
    return isFilterClass(value as ErrorFilter) || !/^class[\s{]/.test(Function.prototype.toString.call(value));
  }
  return hasMethod(value, 'catch');
}

/** Whether a function is a filter class (its instances have `catch`) rather than a filter function. */
export function isFilterClass(value: ErrorFilter): value is Constructor<CatchErrors> {
  return typeof value === 'function' && hasMethod(value, 'catch');
}
