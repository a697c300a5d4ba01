// Where the decorators keep what they declare, and the one place that reads it.
//
// Keys are plain strings on reflect-metadata, so two copies of httppool in one
// process (a linked package, say) still read each other's controllers.

import type { HttpMethod } from '../http/http-types';
import type { BodyKind } from '../input/body-kinds';
import type { MultipartOptions } from '../input/multipart-body';

const CONTROLLER_KEY = 'httppool:controller';
const ROUTES_KEY = 'httppool:routes';

/** What the `@Use…` decorators list on a controller or a method, each under its own key. */
const LIST_KEYS = {
  guards: 'httppool:guards',
  errorFilters: 'httppool:error-filters',
  interceptors: 'httppool:interceptors',
} as const;

export type DecoratedList = keyof typeof LIST_KEYS;

/** A class, as the decorators and the container see it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Constructor<T = unknown> = new (...args: any[]) => T;

/** What to do with properties a body or query class does not declare: drop them, or answer 400. */
export type UnknownProperties = 'strip' | 'reject';

/**
 * Which requests go first when the pool sheds: `'sheddable'` ones are refused
 * once the queue is half full, `'normal'` ones when it is full, and a
 * `'critical'` one meeting a full queue takes the place of the newest queued
 * job that is not critical (which is answered 503 instead).
 */
export type RoutePriority = 'critical' | 'normal' | 'sheddable';

export interface RouteOptions {
  /** One method or several; none means any method, as in the Go original. */
  method?: HttpMethod | readonly HttpMethod[];
  /** Who is shed first under overload (default `'normal'`): see `RoutePriority`. */
  priority?: RoutePriority;
  /** Longest run of this route's handler in ms, overriding the app's `handlerTimeoutMs`; 0 for none. */
  timeoutMs?: number;
  /**
   * The body, read whole before a worker is taken and set on `req.body`: a
   * class-validator class (JSON, validated; `bodyTypes` adds forms), or
   * `'json'` (any JSON), `'text'` (a string), `'form'` (urlencoded fields),
   * `'multipart'` (fields, with the files on `req.files`), not validated.
   */
  body?: Constructor<object> | BodyKind;
  /** The encodings a body class is read from: `'json'` (default), `'form'`, `'multipart'`. */
  bodyTypes?: readonly Exclude<BodyKind, 'text'>[];
  /** This route's largest body in bytes, in place of the app's `bodyLimit` (uploads). */
  bodyLimit?: number;
  /** Limits and storage for a multipart body: see `MultipartOptions`. */
  multipart?: MultipartOptions;
  /** A class-validator class for the query string, set on `req.query`; strings are converted to the declared types. */
  query?: Constructor<object>;
  /** A class-validator class for the path parameters, set on `req.params`; converted like `query`. */
  params?: Constructor<object>;
  /** Properties of `body` or `query` that the class does not declare; overrides the app's `unknownProperties`. */
  unknownProperties?: UnknownProperties;
}

export interface ControllerDefinition {
  prefix: string;
}

export interface RouteDefinition {
  path: string;
  methodName: string;
  options: RouteOptions;
}

export function defineController(target: Constructor, definition: ControllerDefinition): void {
  Reflect.defineMetadata(CONTROLLER_KEY, definition, target);
}

/** The `@Controller` definition of exactly this class (not inherited). */
export function getController(target: Constructor): ControllerDefinition | undefined {
  return Reflect.getOwnMetadata(CONTROLLER_KEY, target) as ControllerDefinition | undefined;
}

export function addRoute(target: Constructor, route: RouteDefinition): void {
  // Copy rather than push: the array read here may be a parent class's.
  Reflect.defineMetadata(ROUTES_KEY, [...getRoutes(target), route], target);
}

/** The class's routes, its parents' included, in declaration order. */
export function getRoutes(target: Constructor): readonly RouteDefinition[] {
  return (Reflect.getMetadata(ROUTES_KEY, target) as RouteDefinition[] | undefined) ?? [];
}

/**
 * Adds items (guards, error filters) to a controller (`methodName`
 * undefined) or to one of its methods. Decorators apply bottom-up, so each
 * adds its items in front: they keep the order they are written, top to bottom.
 */
export function addToList(
  list: DecoratedList,
  target: Constructor,
  methodName: string | undefined,
  items: readonly unknown[],
): void {
  const key = LIST_KEYS[list];
  const own = (
    methodName === undefined ? Reflect.getOwnMetadata(key, target) : Reflect.getOwnMetadata(key, target, methodName)
  ) as unknown[] | undefined;
  const all = [...items, ...(own ?? [])];
  if (methodName === undefined) Reflect.defineMetadata(key, all, target);
  else Reflect.defineMetadata(key, all, target, methodName);
}

/** A route's items on its class (its parents' if it has none) and on its method, apart. */
export function getListParts<T>(
  list: DecoratedList,
  target: Constructor,
  methodName: string,
): { onClass: readonly T[]; onMethod: readonly T[] } {
  const key = LIST_KEYS[list];
  return {
    onClass: (Reflect.getMetadata(key, target) as T[] | undefined) ?? [],
    onMethod: (Reflect.getMetadata(key, target, methodName) as T[] | undefined) ?? [],
  };
}

/** A route's items, class first, then the method's. */
export function getList<T>(list: DecoratedList, target: Constructor, methodName: string): readonly T[] {
  const { onClass, onMethod } = getListParts<T>(list, target, methodName);
  return [...onClass, ...onMethod];
}
