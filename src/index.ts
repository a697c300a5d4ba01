// httppool's public surface: everything a user imports comes from here.

// The metadata polyfill must load before tsyringe, which checks for it on import.
import 'reflect-metadata';

export { HttpPoolApp, type AppStats } from './app';
export { Controller } from './controller';
export { Route, Get, Post, Put, Patch, Delete } from './route';
export { WorkerPool, type PoolJob, type PoolStats, type Admission } from './worker-pool';
export { JobQueue, QueueItem, type QueueEntry } from './job-queue';
export { DEFAULT_OPTIONS, type HttpPoolOptions } from './options';
export { LogFile, type LogFileOptions } from './log-file';
export type { StaticMountOptions, StaticCacheOptions } from './static/static-options';
export type { StaticStats } from './static/file-cache';
export type { RouteOptions, Constructor, UnknownProperties } from './route-metadata';
export type { HttpRequest, HttpResponse, Complete, HttpMethod, RouteParams, RouteQuery } from './http-types';
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
  PreconditionFailedError,
  RangeNotSatisfiableError,
  RouteDefinitionError,
  DuplicateRouteError,
  ControllerLoadError,
  StaticRootError,
} from './errors';
