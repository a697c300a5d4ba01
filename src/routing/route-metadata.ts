// Where the decorators keep what they declare, and the one place that reads it.
//
// Keys are plain strings on reflect-metadata, so two copies of httppool in one
// process (a linked package, say) still read each other's controllers.

import type { Guard } from '../guards/guard';
import type { HttpMethod } from '../http/http-types';

const CONTROLLER_KEY = 'httppool:controller';
const ROUTES_KEY = 'httppool:routes';
const GUARDS_KEY = 'httppool:guards';

/** A class, as the decorators and the container see it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Constructor<T = unknown> = new (...args: any[]) => T;

/** What to do with properties a body or query class does not declare: drop them, or answer 400. */
export type UnknownProperties = 'strip' | 'reject';

export interface RouteOptions {
  /** One method or several; none means any method, as in the Go original. */
  method?: HttpMethod | readonly HttpMethod[];
  /** Longest run of this route's handler in ms, overriding the app's `handlerTimeoutMs`; 0 for none. */
  timeoutMs?: number;
  /** A class-validator class for the JSON body: read, checked and set on `req.body` before a worker is taken. */
  body?: Constructor<object>;
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
 * Adds guards to a controller (`methodName` undefined) or to one of its
 * methods. Decorators apply bottom-up, so each adds its guards in front: the
 * guards run in the order they are written, top to bottom.
 */
export function addGuards(target: Constructor, methodName: string | undefined, guards: readonly Guard[]): void {
  const own = (
    methodName === undefined
      ? Reflect.getOwnMetadata(GUARDS_KEY, target)
      : Reflect.getOwnMetadata(GUARDS_KEY, target, methodName)
  ) as Guard[] | undefined;
  const all = [...guards, ...(own ?? [])];
  if (methodName === undefined) Reflect.defineMetadata(GUARDS_KEY, all, target);
  else Reflect.defineMetadata(GUARDS_KEY, all, target, methodName);
}

/** The guards of a controller's route, in the order they run: the class's (its parents' if it has none), then the method's. */
export function getGuards(target: Constructor, methodName: string): readonly Guard[] {
  const onClass = (Reflect.getMetadata(GUARDS_KEY, target) as Guard[] | undefined) ?? [];
  const onMethod = (Reflect.getMetadata(GUARDS_KEY, target, methodName) as Guard[] | undefined) ?? [];
  return [...onClass, ...onMethod];
}
