// httppool's public surface: everything a user imports comes from here.

// The metadata polyfill must load before tsyringe, which checks for it on import.
import 'reflect-metadata';

export { HttpPoolApp, type AppStats } from './app';
export { Controller } from './routing/controller';
export { Route, Get, Post, Put, Patch, Delete } from './routing/route';
export { UseGuards } from './guards/use-guards';
export type { CanActivate, Guard, GuardContext } from './guards/guard';
export { UseErrorFilters } from './filters/use-error-filters';
export { UseInterceptors } from './interceptors/use-interceptors';
export type { HooksOptions, OnRequestHook, OnResponseHook, OnErrorHook, ResponseInfo } from './hooks/app-hooks';
export type { Interceptor, InterceptorContext, InterceptorLike } from './interceptors/interceptor';
export type { CatchErrors, ErrorFilter, ErrorAnswer, ErrorFilterContext } from './filters/error-filter';
export {
  WorkerPool,
  type PoolJob,
  type PoolStats,
  type PoolStall,
  type WorkerPoolOptions,
  type Admission,
} from './jobs/worker-pool';
export { JobQueue, QueueItem, type QueueEntry, type QueueOrder } from './jobs/job-queue';
export { DEFAULT_OPTIONS, type HttpPoolOptions, type ResolvedOptions } from './options';
export type { MetricsOptions } from './observe/app-metrics';
export { LogFile, type LogFileOptions } from './observe/log-file';
export type {
  StaticMountOptions,
  StaticCacheOptions,
  ResolvedStaticMount,
  ResolvedStaticCache,
} from './static/static-options';
export type { StaticStats } from './static/file-cache';
export type { RouteOptions, RoutePriority, Constructor, UnknownProperties } from './routing/route-metadata';
export type { BodyKind } from './input/body-kinds';
export type { InputLimitsOptions, ResolvedInputLimits } from './input/input-admission';
export type { CodelOptions, ResolvedCodel } from './jobs/codel';
export type { UploadedFile, MultipartOptions } from './input/multipart-body';
export type { FormFields } from './input/form-body';
export type { HttpRequest, HttpResponse, Complete, HttpMethod, RouteParams, RouteQuery } from './http/http-types';
export type { CorsOptions, CorsStaticOrigin, CorsOriginFunction } from './http/cors-policy';
export type { CookieOptions, ResolvedCookieOptions } from './http/cookies';
export type { OpenApiOptions, ResolvedOpenApi } from './openapi/openapi-options';
export type { HealthOptions, ResolvedHealth } from './observe/health-checks';
export type { StatusPageOptions, ResolvedStatusPage } from './status/status-page-options';
export type { StatusFrame } from './status/status-sampler';
export type { StatusSample } from './status/status-sample';
export {
  ThreadPool,
  type ThreadsOptions,
  type ResolvedThreads,
  type ThreadStats,
  type ThreadTaskRef,
} from './threads/thread-pool';
export type { ThreadRequest, ThreadAnswer, ThreadTask } from './threads/thread-task';
export { runCluster, type ClusterOptions, type ClusterRole } from './cluster/run-cluster';
export type { ClusterPrimary, ClusterProcessInfo, ProcessState } from './cluster/cluster-primary';
export type { RespawnOptions } from './cluster/respawn-policy';
export { HTTPPOOL_LOGGER, HTTPPOOL_OPTIONS } from './tokens';
export {
  HttpPoolError,
  HttpError,
  NotFoundError,
  MethodNotAllowedError,
  MalformedUrlError,
  MalformedRequestError,
  RequestTimeoutError,
  HeadersTooLargeError,
  ExpectationFailedError,
  ForbiddenError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  EmptyBodyError,
  MalformedJsonError,
  InputValidationError,
  type InputLocation,
  type InputViolation,
  QueueFullError,
  QueueTimeoutError,
  HandlerTimeoutError,
  ShuttingDownError,
  InputFullError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  RouteDefinitionError,
  DuplicateRouteError,
  ControllerLoadError,
  InvalidProviderError,
  CrashLoopError,
  RollingRestartError,
  AppClosedError,
  StaticRootError,
} from './errors';
