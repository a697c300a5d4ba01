// ErrorFilterChain: the error filters that apply to a response, closest first
// (method, controller, app-wide), made once at bootstrap.
//
// The dispatcher hands a response its chain as soon as it knows it (the app's
// at once, the route's once routed); whatever answers an error through that
// response afterwards (a handler's throw, a guard, validation, a deadline, a
// shed 503) asks the chain first, in answers/error-answer.ts.

import type { ServerResponse } from 'node:http';
import type { HttpRequest } from '../http/http-types';
import type { AppInstances } from '../routing/app-instances';
import type { Constructor } from '../routing/route-metadata';
import {
  isFilterClass,
  type CatchErrors,
  type ErrorAnswer,
  type ErrorFilter,
  type ErrorFilterContext,
} from './error-filter';

const kFilters = Symbol('httppool.errorFilters');

type FilterFunction = (error: unknown, req: HttpRequest, context: ErrorFilterContext) => ErrorAnswer | undefined;

export class ErrorFilterChain {
  private constructor(
    private readonly filters: readonly FilterFunction[],
    private readonly route: ErrorFilterContext['route'],
  ) {}

  /** The chain, or `undefined` when there are no filters (the common case costs one check). */
  static of(
    filters: readonly ErrorFilter[],
    route: ErrorFilterContext['route'],
    instances: AppInstances,
  ): ErrorFilterChain | undefined {
    if (filters.length === 0) return undefined;
    return new ErrorFilterChain(
      filters.map((filter) => toFunction(filter, instances)),
      route,
    );
  }

  /**
   * The first answer a filter gives, or `undefined` for the default one. A
   * filter that throws or answers something unusable is reported through
   * `failed` and skipped.
   */
  answer(
    error: unknown,
    req: HttpRequest,
    status: number,
    failed: (problem: unknown) => void,
  ): ErrorAnswer | undefined {
    const context: ErrorFilterContext = this.route === undefined ? { status } : { status, route: this.route };
    for (const filter of this.filters) {
      let answer: ErrorAnswer | undefined;
      try {
        answer = filter(error, req, context);
      } catch (problem) {
        failed(problem);
        continue;
      }
      if (answer === undefined) continue;
      if (isUsable(answer)) return answer;
      failed(
        new TypeError(
          `an error filter answered ${describe(answer)}, not { status, headers?, body? } with a status from 200 to 599`,
        ),
      );
    }
    return undefined;
  }
}

/** Gives `res` the filters its errors are answered through (replacing any it had). */
export function filterErrorsOf(res: ServerResponse, chain: ErrorFilterChain | undefined): void {
  (res as ServerResponse & { [kFilters]?: ErrorFilterChain })[kFilters] = chain;
}

/** The filters `res`'s errors are answered through, if any. */
export function errorFiltersOf(res: ServerResponse): ErrorFilterChain | undefined {
  return (res as ServerResponse & { [kFilters]?: ErrorFilterChain })[kFilters];
}

function toFunction(filter: ErrorFilter, instances: AppInstances): FilterFunction {
  if (typeof filter === 'function' && !isFilterClass(filter)) return filter as FilterFunction;
  const instance = instances.of(filter as Constructor<CatchErrors> | CatchErrors, 'Error filter');
  return (error, req, context) => instance.catch(error, req, context);
}

function isUsable(answer: unknown): answer is ErrorAnswer {
  const { status } = (answer ?? {}) as { status?: unknown };
  return (
    typeof answer === 'object' && Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 599
  );
}

function describe(value: unknown): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : typeof value;
}
