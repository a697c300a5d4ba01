// RouteTable: the routing map, built once at bootstrap from the controllers'
// decorators and looked up (through find-my-way) on every request.

import FindMyWay from 'find-my-way';
import { METHODS } from 'node:http';
import type { DependencyContainer } from 'tsyringe';
import { DuplicateRouteError, RouteDefinitionError } from '../errors';
import type { RouteHandler, RouteParams, RouteQuery } from '../http/http-types';
import { DEFAULT_OPTIONS } from '../options';
import {
  getController,
  getList,
  getListParts,
  getRoutes,
  type Constructor,
  type RouteOptions,
  type RoutePriority,
} from './route-metadata';
import type { Guard } from '../guards/guard';
import { GuardChain } from '../guards/guard-chain';
import type { ErrorFilter } from '../filters/error-filter';
import { ErrorFilterChain } from '../filters/error-filter-chain';
import { AppInstances } from './app-instances';
import type { InterceptorLike } from '../interceptors/interceptor';
import { InterceptorChain } from '../interceptors/interceptor-chain';
import { RouteInput, type InputDefaults } from '../input/route-input';
import { checkInjectable } from './controller-injection';

/** What the table takes from the app's options: input defaults, and the metrics path no route may take. */
export interface TableOptions extends InputDefaults {
  metrics?: { readonly path: string } | undefined;
  /** App-wide guards, run before every route's own. */
  guards?: readonly Guard[];
  /** App-wide error filters, asked after every route's own. */
  errorFilters?: readonly ErrorFilter[];
  /** App-wide interceptors, outermost around every route's handler. */
  interceptors?: readonly InterceptorLike[];
  /** The OpenAPI paths no route may take. */
  openapi?: { readonly path: string; readonly uiPath: string | undefined } | undefined;
  /** The health check paths no route may take. */
  health?: { readonly livePath: string; readonly readyPath: string } | undefined;
  /** The status page's paths no route may take. */
  statusPage?: { readonly path: string } | undefined;
}

/** One controller method, ready to be called. */
export interface ResolvedRoute {
  /** The full path pattern, prefix included, e.g. `/api/users/:id`. */
  readonly path: string;
  /** `Class.method`, for errors and logs. */
  readonly name: string;
  readonly controller: object;
  readonly handler: RouteHandler;
  /**
   * True when the method takes no `complete` parameter: it is finished when it
   * returns (or its promise settles), so forgetting `complete()` cannot leak a worker.
   */
  readonly completesOnReturn: boolean;
  /** The route's own handler timeout, if it sets one. */
  readonly timeoutMs: number | undefined;
  /** Who is shed first under overload. */
  readonly priority: RoutePriority;
  /** The route's own body limit, if it sets one (in place of the app's). */
  readonly bodyLimit: number | undefined;
  /** The declared body, query and params to read and check before a worker is taken; none when undeclared. */
  readonly input: RouteInput | undefined;
  /** The guards asked before the request becomes a job (app-wide, controller, method); none when there are none. */
  readonly guards: GuardChain | undefined;
  /** The error filters its errors are answered through (method, controller, app-wide); none when there are none. */
  readonly errorFilters: ErrorFilterChain | undefined;
  /** The interceptors around its handler (app-wide, controller, method); none when there are none. */
  readonly interceptors: InterceptorChain | undefined;
  readonly options: RouteOptions;
}

export type RouteMatch =
  | { kind: 'found'; route: ResolvedRoute; params: RouteParams; query: RouteQuery }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'bad-url' };

const NOT_FOUND: RouteMatch = { kind: 'not-found' };
const BAD_URL: RouteMatch = { kind: 'bad-url' };

export class RouteTable {
  private readonly router = FindMyWay({ onBadUrl: () => undefined });
  /** Every method some route answers, for building `Allow` on a 405. */
  private readonly methods = new Set<string>();
  /** `METHOD /path` → the route that answers it. */
  private readonly byKey = new Map<string, ResolvedRoute>();
  readonly routes: ResolvedRoute[] = [];

  private constructor(
    private readonly inputDefaults: InputDefaults,
    private readonly appGuards: readonly Guard[],
    private readonly appErrorFilters: readonly ErrorFilter[],
    private readonly appInterceptors: readonly InterceptorLike[],
    private readonly instances: AppInstances,
  ) {}

  /** Every method some route answers (HEAD included where GET is). */
  get methodsServed(): string[] {
    return [...this.methods];
  }

  /**
   * Builds the table; every declaration mistake throws here, naming class, method and path.
   * `options.unknownProperties` applies to routes that declare input; with
   * `options.metrics`, no route may sit at the metrics path, which answers first.
   */
  static build(
    controllers: readonly Constructor[],
    container: DependencyContainer,
    options: TableOptions = DEFAULT_OPTIONS,
  ): RouteTable {
    const instances = new AppInstances(container);
    const table = new RouteTable(
      options,
      options.guards ?? [],
      options.errorFilters ?? [],
      options.interceptors ?? [],
      instances,
    );
    for (const ctor of controllers) table.addController(ctor, container);
    if (options.metrics !== undefined) table.checkNotAt(options.metrics.path, 'the metrics', 'metrics.path');
    if (options.openapi !== undefined) {
      table.checkNotAt(options.openapi.path, 'the OpenAPI document', 'openapi.path');
      if (options.openapi.uiPath !== undefined) table.checkNotAt(options.openapi.uiPath, 'Swagger UI', 'openapi.ui');
    }
    if (options.health !== undefined) {
      table.checkNotAt(options.health.livePath, 'the liveness check', 'health.livePath');
      table.checkNotAt(options.health.readyPath, 'the readiness check', 'health.readyPath');
    }
    if (options.statusPage !== undefined) {
      table.checkNotAt(options.statusPage.path, 'the status page', 'statusPage.path');
      table.checkNotAt(`${options.statusPage.path}/events`, 'the status page', 'statusPage.path');
    }
    table.addImplicitHeadRoutes();
    return table;
  }

  find(method: string, url: string): RouteMatch {
    const found = this.router.find(method as FindMyWay.HTTPMethod, url);
    if (found === null) return this.explainMiss(method, url);
    const route = found.store as ResolvedRoute | null;
    if (route === null) return BAD_URL;
    return {
      kind: 'found',
      route,
      params: found.params as RouteParams,
      query: found.searchParams as RouteQuery,
    };
  }

  private addController(ctor: Constructor, container: DependencyContainer): void {
    const controller = getController(ctor);
    const declared = getRoutes(ctor);
    if (controller === undefined) {
      const what = declared.length > 0 ? `has @Route methods (${declared[0]?.methodName}, …)` : 'is';
      throw new RouteDefinitionError(`Class ${ctor.name} ${what} but is not decorated with @Controller`);
    }
    if (declared.length === 0) {
      throw new RouteDefinitionError(`Controller ${ctor.name} declares no routes: add @Route (or @Get, …) methods`);
    }
    checkPath(controller.prefix, `Controller ${ctor.name}'s prefix`);
    checkInjectable(ctor, container);
    const instance = container.resolve(ctor) as Record<string, unknown>;
    for (const { path, methodName, options } of declared) {
      const name = `${ctor.name}.${methodName}`;
      checkPath(path, `Route ${name}`);
      const handler = instance[methodName];
      if (typeof handler !== 'function') {
        throw new RouteDefinitionError(`Route ${name} ('${path}') is not a method`);
      }
      const route: ResolvedRoute = {
        path: joinPaths(controller.prefix, path),
        name,
        controller: instance,
        handler: handler as RouteHandler,
        completesOnReturn: handler.length < 3,
        timeoutMs: checkTimeout(options.timeoutMs, name),
        priority: checkPriority(options.priority, name),
        bodyLimit: checkBodyLimit(options.bodyLimit, name),
        input: RouteInput.of(options, name, this.inputDefaults),
        guards: GuardChain.of(
          [...this.appGuards, ...getList<Guard>('guards', ctor, methodName)],
          { controller: ctor, methodName, path: joinPaths(controller.prefix, path) },
          this.instances,
        ),
        errorFilters: this.errorFiltersOf(ctor, methodName, joinPaths(controller.prefix, path)),
        interceptors: InterceptorChain.of(
          [...this.appInterceptors, ...getList<InterceptorLike>('interceptors', ctor, methodName)],
          { controller: ctor, methodName, path: joinPaths(controller.prefix, path) },
          this.instances,
        ),
        options,
      };
      const methods = options.method === undefined ? METHODS : ([] as string[]).concat(options.method);
      for (const method of methods) this.register(method, route);
      this.routes.push(route);
    }
  }

  // Closest first: the method's filters, the controller's, then the app's.
  private errorFiltersOf(ctor: Constructor, methodName: string, path: string): ErrorFilterChain | undefined {
    const { onClass, onMethod } = getListParts<ErrorFilter>('errorFilters', ctor, methodName);
    return ErrorFilterChain.of(
      [...onMethod, ...onClass, ...this.appErrorFilters],
      { controller: ctor, methodName, path },
      this.instances,
    );
  }

  /** The app-wide filters alone, for answers to requests no route took (404, 405, before routing). */
  appErrorFilterChain(): ErrorFilterChain | undefined {
    return ErrorFilterChain.of(this.appErrorFilters, undefined, this.instances);
  }

  private register(method: string, route: ResolvedRoute): void {
    const key = `${method} ${route.path}`;
    const owner = this.byKey.get(key);
    if (owner !== undefined) {
      throw new DuplicateRouteError(
        `Route ${method} ${route.path} is declared twice: by ${owner.name} and by ${route.name}`,
      );
    }
    try {
      this.router.on(method as FindMyWay.HTTPMethod, route.path, noop, route);
    } catch (error) {
      throw new RouteDefinitionError(
        `Route ${route.name} (${method} ${route.path}) cannot be registered: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.byKey.set(key, route);
    this.methods.add(method);
  }

  // The dispatcher answers these paths before routing: a route there could never be reached.
  private checkNotAt(path: string, what: string, option: string): void {
    const shadowed = this.routes.find((route) => route.path === path);
    if (shadowed !== undefined) {
      const name = what === 'the metrics' ? 'metrics path' : `path of ${what}`;
      throw new RouteDefinitionError(
        `Route ${shadowed.name} (${shadowed.path}) is at the ${name}: ${what} answer${what === 'the metrics' ? '' : 's'} first, so it would ` +
          `never be reached (move the route, or ${what} with the ${option} option)`,
      );
    }
  }

  // GET routes answer HEAD too (node drops the body), as fastify and express do.
  private addImplicitHeadRoutes(): void {
    for (const [key, route] of [...this.byKey]) {
      if (key.startsWith('GET ') && !this.byKey.has(`HEAD ${route.path}`)) this.register('HEAD', route);
    }
  }

  // Only on a miss: which other methods would have matched this path?
  private explainMiss(method: string, url: string): RouteMatch {
    const allow: string[] = [];
    for (const other of this.methods) {
      if (other === method) continue;
      const found = this.router.find(other as FindMyWay.HTTPMethod, url);
      if (found === null) continue;
      if (found.store === null) return BAD_URL;
      allow.push(other);
    }
    return allow.length > 0 ? { kind: 'method-not-allowed', allow } : NOT_FOUND;
  }
}

function noop(): void {}

function checkPath(path: unknown, what: string): void {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) {
    throw new RouteDefinitionError(`${what} path must be a string starting with '/', got ${JSON.stringify(path)}`);
  }
}

function checkBodyLimit(bodyLimit: unknown, name: string): number | undefined {
  if (bodyLimit === undefined) return undefined;
  if (typeof bodyLimit !== 'number' || !Number.isSafeInteger(bodyLimit) || bodyLimit < 1) {
    throw new RouteDefinitionError(
      `Route ${name}: bodyLimit must be a positive whole number of bytes, got ${String(bodyLimit)}`,
    );
  }
  return bodyLimit;
}

function checkPriority(priority: unknown, name: string): RoutePriority {
  if (priority === undefined) return 'normal';
  if (priority !== 'critical' && priority !== 'normal' && priority !== 'sheddable') {
    throw new RouteDefinitionError(
      `Route ${name}: priority must be 'critical', 'normal' or 'sheddable', got ${JSON.stringify(priority)}`,
    );
  }
  return priority;
}

function checkTimeout(timeoutMs: unknown, name: string): number | undefined {
  if (timeoutMs === undefined) return undefined;
  if (typeof timeoutMs !== 'number' || !Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
    throw new RouteDefinitionError(
      `Route ${name}: timeoutMs must be a whole number of milliseconds (0 or more), got ${String(timeoutMs)}`,
    );
  }
  return timeoutMs;
}

/**
 * `/api` + `/test` → `/api/test`; `''` + `''` → `/`; `/todos` + `/` →
 * `/todos`, as NestJS and express serve `@Get('/')` under a prefix.
 */
function joinPaths(prefix: string, path: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  const joined = trimmed !== '' && path === '/' ? trimmed : trimmed + path;
  return joined === '' ? '/' : joined;
}
