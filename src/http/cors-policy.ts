// CorsPolicy: the `cors` option, applied by the `cors` package (express's),
// so its semantics are that package's: the same options, the same headers,
// and every OPTIONS request answered as a preflight (204 by default) unless
// `preflightContinue` hands it on.
//
// It runs as the request comes in, before routing, static files, guards and
// admission: a preflight never takes a worker, and a shed 503 carries the
// CORS headers, so a browser shows the 503 rather than a CORS failure.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** An origin as the `cors` package takes it: `true` reflects the request's, a list allows any of its entries. */
export type CorsStaticOrigin = boolean | string | RegExp | ReadonlyArray<boolean | string | RegExp>;

/** Decides the origin per request; call back with an error (answered 500) or the origin to allow. */
export type CorsOriginFunction = (
  requestOrigin: string | undefined,
  callback: (error: Error | null, origin?: CorsStaticOrigin) => void,
) => void;

/** The `cors` package's options; see its README. */
export interface CorsOptions {
  /** `Access-Control-Allow-Origin` (default `'*'`). */
  origin?: CorsStaticOrigin | CorsOriginFunction;
  /** `Access-Control-Allow-Methods` of preflights (default `'GET,HEAD,PUT,PATCH,POST,DELETE'`). */
  methods?: string | readonly string[];
  /** `Access-Control-Allow-Headers` (default: the request's `Access-Control-Request-Headers`). */
  allowedHeaders?: string | readonly string[];
  /** `Access-Control-Expose-Headers` (default: none). */
  exposedHeaders?: string | readonly string[];
  /** `Access-Control-Allow-Credentials: true` (default false). */
  credentials?: boolean;
  /** `Access-Control-Max-Age` of preflights, in seconds (default: none). */
  maxAge?: number;
  /** Hand preflights on to routing instead of answering them (default false). */
  preflightContinue?: boolean;
  /** The status of an answered preflight (default 204). */
  optionsSuccessStatus?: number;
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const KNOWN = new Set([
  'origin',
  'methods',
  'allowedHeaders',
  'exposedHeaders',
  'credentials',
  'maxAge',
  'preflightContinue',
  'optionsSuccessStatus',
]);

export class CorsPolicy {
  private readonly middleware: Middleware;
  /** Whether an OPTIONS request is answered here (true unless `preflightContinue`). */
  readonly answersPreflights: boolean;

  constructor(options: CorsOptions) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cors = require('cors') as (options: unknown) => Middleware;
    this.middleware = cors(options);
    this.answersPreflights = options.preflightContinue !== true;
  }

  /**
   * Sets the CORS headers; a preflight it answers is ended here. `next` runs
   * when the request goes on (at once, or once an origin function decided),
   * with an error if that function failed.
   */
  apply(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    this.middleware(req, res, next);
  }

  /** Whether `req` is a preflight this policy answers itself. */
  answers(req: IncomingMessage): boolean {
    return this.answersPreflights && req.method === 'OPTIONS';
  }
}

/** Checks the `cors` option: `true` for the package's defaults, or its options. */
export function checkCorsOptions(value: unknown): CorsOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('Option "cors" must be true, false or the cors package\'s options');
  }
  for (const key of Object.keys(value)) if (!KNOWN.has(key)) throw new TypeError(`Unknown option "cors.${key}"`);
  const { maxAge, optionsSuccessStatus } = value as CorsOptions;
  if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 0)) {
    throw new RangeError('Option "cors.maxAge" must be a whole number of seconds');
  }
  if (
    optionsSuccessStatus !== undefined &&
    (!Number.isInteger(optionsSuccessStatus) || optionsSuccessStatus < 200 || optionsSuccessStatus > 299)
  ) {
    throw new RangeError('Option "cors.optionsSuccessStatus" must be a 2xx status');
  }
  return { ...(value as CorsOptions) };
}
