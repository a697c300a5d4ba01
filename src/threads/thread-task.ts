// What crosses between a request's worker and a thread: the request's
// snapshot one way, the answer the other. Both must survive structured clone.

/** The serialisable part of a request: what a thread task sees. */
export interface ThreadRequest {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly params: Record<string, unknown>;
  readonly query: Record<string, unknown>;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The validated (or read) body, as a plain copy: a class instance arrives without its prototype. */
  readonly body: unknown;
}

/** What a thread task returns: sent as a handler's returned value is (`body` by type), with `status` and `headers`. */
export interface ThreadAnswer {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: unknown;
}

/** A thread task module's export: the function a thread runs for one request. */
export type ThreadTask = (request: ThreadRequest) => ThreadAnswer | Promise<ThreadAnswer>;

/**
 * An error thrown in a task that carries an HTTP status (an HttpError, or
 * one with `statusCode` from 400 to 599, as http-errors makes them): it
 * crosses back as this, since structured clone keeps no class, and the
 * request is answered with that status as if thrown on the event loop.
 */
export interface ThreadHttpError {
  readonly httppoolThreadError: { statusCode: number; message: string; expose: boolean };
}

/** What the pool sends a thread for one run. */
export interface ThreadRun {
  /** The task module, as an absolute path or a file URL. */
  readonly module: string;
  /** Its export to call (default `default`, else the module itself when it is a function). */
  readonly name: string | undefined;
  readonly request: ThreadRequest;
}
