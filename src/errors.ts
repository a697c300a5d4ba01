// Every error httppool throws or answers with, in one place.
//
// Two families share the `HttpPoolError` base: `HttpError` and its subclasses
// are answered to the client with their status and message; the rest are
// programming or configuration mistakes thrown at bootstrap. Codes are stable
// and unique (a test pins the list); the README documents them.

import { METHODS, STATUS_CODES } from 'node:http';

export interface HttpPoolErrorOptions {
  cause?: unknown;
}

/** Base of every error httppool throws. `code` is stable; match on it, not on messages. */
export class HttpPoolError extends Error {
  readonly code: string = 'HTTPPOOL_ERROR';
  readonly statusCode: number = 500;

  constructor(message: string, options?: HttpPoolErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface HttpErrorOptions extends HttpPoolErrorOptions {
  /** Extra detail sent in the body's `details` (for example validation failures). */
  details?: unknown;
  /** Headers to send with the error answer (for example `Allow` or `Retry-After`). */
  headers?: Record<string, string>;
}

/**
 * An error answered to the client with its status code and message. Throw it
 * (or pass it to `complete`) from a handler to answer something other than 500.
 *
 * @example
 * throw new HttpError(404, `no user ${req.params.id}`);
 */
export class HttpError extends HttpPoolError {
  override readonly code: string = 'HTTPPOOL_HTTP_ERROR';
  override readonly statusCode: number;
  readonly details: unknown;
  readonly headers: Record<string, string> | undefined;

  constructor(statusCode: number, message?: string, options?: HttpErrorOptions) {
    if (!Number.isInteger(statusCode) || statusCode < 400 || statusCode > 599) {
      throw new RangeError(`HttpError: statusCode must be an integer from 400 to 599, got ${String(statusCode)}`);
    }
    super(message ?? STATUS_CODES[statusCode] ?? 'Error', options);
    this.statusCode = statusCode;
    this.details = options?.details;
    this.headers = options?.headers;
  }
}

// What a client sends is never repeated in a message: not the path, a header
// value, the body's text, nor a property name the class does not declare.
// An answer that echoes it can be made to say anything under the server's
// name, and a log that keeps answers keeps whatever it carried. What is
// named instead: the method (node's parser takes only methods from its own
// list), limits, positions, and the names the route's own classes declare.

/** node's methods: the only ones its parser lets through, so naming one repeats no text of the client's. */
const KNOWN_METHODS = new Set(METHODS);

function methodName(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'this method';
}

/**
 * No route matches the request's path (and method). The message names the
 * method, never the path; `path` keeps it for the server's own use.
 */
export class NotFoundError extends HttpError {
  override readonly code = 'HTTPPOOL_NOT_FOUND';
  constructor(
    readonly method: string,
    readonly path: string,
  ) {
    super(404, `No route for ${methodName(method)} on this path`);
  }
}

/** The path has routes, none for this method; `Allow` lists theirs. The message does not repeat the path. */
export class MethodNotAllowedError extends HttpError {
  override readonly code = 'HTTPPOOL_METHOD_NOT_ALLOWED';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly allow: readonly string[],
  ) {
    super(405, `Method ${methodName(method)} is not allowed on this path`, { headers: { allow: allow.join(', ') } });
  }
}

export class MalformedUrlError extends HttpError {
  override readonly code = 'HTTPPOOL_MALFORMED_URL';
  constructor() {
    super(400, 'The request URL is malformed');
  }
}

/**
 * node's HTTP parser rejected the request (a bad request line, header or
 * chunk); answered on the raw socket, which then closes.
 */
export class MalformedRequestError extends HttpError {
  override readonly code = 'HTTPPOOL_MALFORMED_REQUEST';
  constructor(reason?: string, options?: HttpPoolErrorOptions) {
    super(400, reason === undefined ? 'The request is malformed' : `The request is malformed: ${reason}`, options);
  }
}

/** The request's headers (`headersTimeout`) or all of it (`requestTimeout`) took too long to arrive. */
export class RequestTimeoutError extends HttpError {
  override readonly code = 'HTTPPOOL_REQUEST_TIMEOUT';
  constructor(options?: HttpPoolErrorOptions) {
    super(408, 'The request took too long to arrive', options);
  }
}

/** The request's headers are larger than `maxHeaderSize`. */
export class HeadersTooLargeError extends HttpError {
  override readonly code = 'HTTPPOOL_HEADERS_TOO_LARGE';
  constructor(
    readonly limit: number,
    options?: HttpPoolErrorOptions,
  ) {
    super(431, `Request headers are larger than ${limit} bytes`, options);
  }
}

/**
 * A guard refused the request. `guard` names it (for logs; the client is not
 * told); `returned` is set when the guard answered something other than a
 * boolean (a missed `return`), which refuses too.
 */
export class ForbiddenError extends HttpError {
  override readonly code = 'HTTPPOOL_FORBIDDEN';
  constructor(
    readonly guard: string,
    readonly returned?: string,
  ) {
    super(403, 'Access to this route was refused');
  }
}

/** The request's `Expect` asks for something other than `100-continue`; `expect` keeps what it asked. */
export class ExpectationFailedError extends HttpError {
  override readonly code = 'HTTPPOOL_EXPECTATION_FAILED';
  constructor(readonly expect: string) {
    super(417, 'The Expect header is not supported: only 100-continue is');
  }
}

/** The request body is larger than `bodyLimit`. */
export class PayloadTooLargeError extends HttpError {
  override readonly code = 'HTTPPOOL_PAYLOAD_TOO_LARGE';
  /**
   * `what` names the part that is too large when it is not the body (node's
   * limit on chunk extensions, an uploaded file). The connection closes after
   * the answer, as the rest of an oversized body is never read; `keepAlive`
   * is for a part over its own limit inside a body that will be read to its
   * end (an upload's file), so the client can read the answer and go on.
   */
  constructor(limit: number, what = 'Request body', options?: HttpPoolErrorOptions & { keepAlive?: boolean }) {
    const { keepAlive = false, ...rest } = options ?? {};
    super(
      413,
      `${what} is larger than ${limit} bytes`,
      keepAlive ? rest : { ...rest, headers: { connection: 'close' } },
    );
  }
}

/**
 * A route declares a body, and the request's `Content-Type` is not one it
 * reads (JSON by default: `application/json` or `…+json`, UTF-8);
 * `contentType` keeps what it sent, `expected` what the route reads.
 */
export class UnsupportedMediaTypeError extends HttpError {
  override readonly code = 'HTTPPOOL_UNSUPPORTED_MEDIA_TYPE';
  constructor(
    readonly contentType: string | undefined,
    readonly expected: readonly string[] = ['application/json (or a +json type), in UTF-8'],
  ) {
    const wanted = expected.length === 1 ? expected[0] : `one of ${expected.join(', ')}`;
    super(
      415,
      contentType === undefined
        ? `Content-Type must be ${wanted}, and the request has none`
        : `Content-Type must be ${wanted}`,
    );
  }
}

/** A route declares a body, and the request has none (or an empty one). */
export class EmptyBodyError extends HttpError {
  override readonly code = 'HTTPPOOL_EMPTY_BODY';
  constructor(expected = 'a JSON body') {
    super(400, `Request body is empty; this route expects ${expected}`);
  }
}

/**
 * A route declares a body, and the request's body does not parse as JSON.
 * The message tells where the parser stopped, not its words: those quote the
 * body (`Unexpected token 'x', "x…" is not valid JSON`). The parser's error is the `cause`.
 */
export class MalformedJsonError extends HttpError {
  override readonly code = 'HTTPPOOL_MALFORMED_JSON';
  constructor(cause: unknown) {
    const text = cause instanceof Error ? cause.message : '';
    const position = /\bat position (\d+)/.exec(text)?.[1];
    const where =
      position !== undefined
        ? ` (at position ${position})`
        : text.startsWith('Unexpected end of JSON input')
          ? ' (it ends too soon)'
          : '';
    super(400, `Request body is not valid JSON${where}`, { cause });
  }
}

/** Where a route's declared input came from. */
export type InputLocation = 'body' | 'query' | 'params';

/**
 * One failing property in an `InputValidationError`'s `details`: class-validator's
 * messages by constraint name, and the failing properties of a nested object or
 * array (array items are named by index). The rejected value is never echoed.
 */
export interface InputViolation {
  property: string;
  /** Constraint name → message, e.g. `{ isInt: 'page must be an integer number' }`; empty when only children failed. */
  constraints: Record<string, string>;
  children?: InputViolation[];
}

const LOCATION_NAMES: Record<InputLocation, string> = {
  body: 'request body',
  query: 'query string',
  params: 'path parameters',
};

/**
 * A route's body, query or params failed its class-validator class. Answered
 * 400 with `details`: one `InputViolation` per failing property. (Not named
 * `ValidationError`: class-validator exports that name.)
 *
 * @example
 * // { "statusCode": 400, "error": "Bad Request", "message": "Invalid request body: name",
 * //   "details": [{ "property": "name", "constraints": { "isString": "name must be a string" } }] }
 */
export class InputValidationError extends HttpError {
  override readonly code = 'HTTPPOOL_INPUT_VALIDATION';
  declare readonly details: InputViolation[];

  constructor(
    readonly location: InputLocation,
    details: InputViolation[],
    message = `Invalid ${LOCATION_NAMES[location]}: ${details.map((violation) => violation.property).join(', ')}`,
  ) {
    super(400, message, { details });
  }
}

/** The job queue is full: the request is shed rather than left to slow everyone down. */
export class QueueFullError extends HttpError {
  override readonly code = 'HTTPPOOL_QUEUE_FULL';
  constructor(retryAfterSeconds: number) {
    super(503, 'Server is at capacity, try again later', {
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}

/** A job waited in the queue past `queueTimeoutMs` and was answered without running. */
export class QueueTimeoutError extends HttpError {
  override readonly code = 'HTTPPOOL_QUEUE_TIMEOUT';
  constructor(timeoutMs: number, retryAfterSeconds: number) {
    super(503, `Request waited more than ${timeoutMs} ms for a worker`, {
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}

/**
 * A handler ran past its timeout. Answered 504, not 503: a dashboard tells a
 * slow handler (504) from a shed request (503) without reading bodies.
 */
export class HandlerTimeoutError extends HttpError {
  override readonly code = 'HTTPPOOL_HANDLER_TIMEOUT';
  constructor(timeoutMs: number) {
    super(504, `Handler did not finish within ${timeoutMs} ms`);
  }
}

/**
 * Too many request bodies are being read and validated at once
 * (`inputLimits`): the request is shed before its body is read.
 */
export class InputFullError extends HttpError {
  override readonly code = 'HTTPPOOL_INPUT_FULL';
  constructor(retryAfterSeconds: number) {
    super(503, 'Too many request bodies are being read: try again later', {
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}

/** The app is closing and takes no new work. */
export class ShuttingDownError extends HttpError {
  override readonly code = 'HTTPPOOL_SHUTTING_DOWN';
  constructor() {
    super(503, 'Server is shutting down', { headers: { connection: 'close' } });
  }
}

/** A static file's `If-Match` or `If-Unmodified-Since` does not hold for the file as it is now. */
export class PreconditionFailedError extends HttpError {
  override readonly code = 'HTTPPOOL_PRECONDITION_FAILED';
  constructor() {
    super(412, 'The file does not match the preconditions of the request');
  }
}

/** A static file's `Range` asks only for bytes past its end; `Content-Range` tells the real size. */
export class RangeNotSatisfiableError extends HttpError {
  override readonly code = 'HTTPPOOL_RANGE_NOT_SATISFIABLE';
  constructor(readonly size: number) {
    super(416, `The requested range is not within the file's ${size} bytes`, {
      headers: { 'content-range': `bytes */${size}` },
    });
  }
}

/** A controller or route is declared in a way that cannot be served. */
export class RouteDefinitionError extends HttpPoolError {
  override readonly code = 'HTTPPOOL_ROUTE_DEFINITION';
}

/** Two controller methods claim the same method and path. */
export class DuplicateRouteError extends HttpPoolError {
  override readonly code = 'HTTPPOOL_DUPLICATE_ROUTE';
}

/** A module in a controllers folder could not be loaded. */
export class ControllerLoadError extends HttpPoolError {
  override readonly code = 'HTTPPOOL_CONTROLLER_LOAD';
}

/**
 * What the caller's container holds for the app's `WorkerPool` cannot
 * schedule its requests: a method is missing, or its size contradicts the
 * `workers` / `queueSize` options.
 */
export class InvalidProviderError extends HttpPoolError {
  override readonly code = 'HTTPPOOL_INVALID_PROVIDER';
}

/** `listen()` on an app that was closed (or began to close before it listened). */
export class AppClosedError extends HttpPoolError {
  override readonly code = 'HTTPPOOL_APP_CLOSED';

  constructor() {
    super('The app was closed: make a new one with HttpPoolApp.bootstrap() to listen again');
  }
}

/** At bootstrap: a `static` mount's root does not exist or is not a folder. */
export class StaticRootError extends HttpPoolError {
  override readonly code = 'HTTPPOOL_STATIC_ROOT';
}

/**
 * runCluster: processes died `deaths` times within `windowMs` (a bad deploy,
 * a port taken, a missing secret), so the primary stopped replacing them.
 */
export class CrashLoopError extends HttpPoolError {
  override readonly code = 'HTTPPOOL_CRASH_LOOP';

  constructor(
    readonly deaths: number,
    readonly windowMs: number,
  ) {
    super(`${deaths} processes died within ${windowMs} ms: not replacing them (a crash loop)`);
  }
}

/** runCluster: a rolling restart stopped because a new process did not start; the old ones go on serving. */
export class RollingRestartError extends HttpPoolError {
  override readonly code = 'HTTPPOOL_ROLLING_RESTART';
}
