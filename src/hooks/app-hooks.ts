// AppHooks: the `hooks` option, app-wide functions at three moments of every
// request: onRequest (as it comes in, before CORS, /metrics, static files and
// routing), onResponse (once it has ended, with what the client got) and
// onError (an error is being answered).
//
// A response carries its app's hooks from adoption, so whatever answers an
// error through it (answers/error-answer.ts) tells them, as with error filters.

import type { ServerResponse } from 'node:http';
import type { HttpRequest, HttpResponse } from '../http/http-types';

/** What `onResponse` is told. */
export interface ResponseInfo {
  /** The route pattern, or `(unmatched)`, `(static)`, `(cors preflight)`. */
  readonly route: string;
  /** The status the client got; 0 for an answer that was cut. */
  readonly statusCode: number;
  /** From arrival to the end of the answer, in ms. */
  readonly durationMs: number;
}

/** As a request comes in. End the response to answer it here; throw (or reject) to answer an error. */
export type OnRequestHook = (req: HttpRequest, res: HttpResponse) => void | Promise<void>;
/** Once a request has ended. For metrics and audit: what it throws is logged, never answered. */
export type OnResponseHook = (req: HttpRequest, res: HttpResponse, info: ResponseInfo) => void;
/** An error is being answered (before error filters shape it). What it throws is logged. */
export type OnErrorHook = (error: unknown, req: HttpRequest) => void;

export interface HooksOptions {
  onRequest?: readonly OnRequestHook[];
  onResponse?: readonly OnResponseHook[];
  onError?: readonly OnErrorHook[];
}

const kHooks = Symbol('httppool.hooks');

export class AppHooks {
  private constructor(
    private readonly onRequest: readonly OnRequestHook[],
    private readonly onResponse: readonly OnResponseHook[],
    private readonly onError: readonly OnErrorHook[],
  ) {}

  /** The hooks, or `undefined` when there are none (the common case costs one check). */
  static of(options: Required<HooksOptions>): AppHooks | undefined {
    const { onRequest, onResponse, onError } = options;
    if (onRequest.length + onResponse.length + onError.length === 0) return undefined;
    return new AppHooks(onRequest, onResponse, onError);
  }

  get hasRequestHooks(): boolean {
    return this.onRequest.length > 0;
  }

  /**
   * Runs the onRequest hooks in order, each after the last settled; stops
   * early once one has ended the response. `undefined` when every hook ran
   * synchronously and returned nothing, else a promise of the same.
   */
  request(req: HttpRequest, res: HttpResponse): Promise<void> | undefined {
    return this.requestFrom(0, req, res);
  }

  private requestFrom(start: number, req: HttpRequest, res: HttpResponse): Promise<void> | undefined {
    for (let index = start; index < this.onRequest.length && !res.writableEnded; index++) {
      const pending = (this.onRequest[index] as OnRequestHook)(req, res);
      if (pending !== undefined && typeof pending.then === 'function') {
        return pending.then(() => this.requestFrom(index + 1, req, res));
      }
    }
    return undefined;
  }

  responded(req: HttpRequest, res: HttpResponse, info: ResponseInfo): void {
    for (const hook of this.onResponse) {
      try {
        hook(req, res, info);
      } catch (error) {
        req.log.error({ err: error }, 'an onResponse hook failed');
      }
    }
  }

  errored(error: unknown, req: HttpRequest): void {
    for (const hook of this.onError) {
      try {
        hook(error, req);
      } catch (problem) {
        req.log.error({ err: problem, cause: error }, 'an onError hook failed');
      }
    }
  }
}

/** Gives `res` its app's hooks. */
export function hookResponse(res: ServerResponse, hooks: AppHooks): void {
  (res as ServerResponse & { [kHooks]?: AppHooks })[kHooks] = hooks;
}

/** The hooks of the app that adopted `res`, if it has any. */
export function hooksOf(res: ServerResponse): AppHooks | undefined {
  return (res as ServerResponse & { [kHooks]?: AppHooks })[kHooks];
}

/** Checks the `hooks` option: lists of functions under known names. */
export function checkHooks(value: unknown): Required<HooksOptions> {
  const hooks = { onRequest: [], onResponse: [], onError: [] } as Required<HooksOptions>;
  if (value === undefined) return hooks;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('Option "hooks" must be { onRequest?, onResponse?, onError? }, each a list of functions');
  }
  for (const [name, list] of Object.entries(value)) {
    if (!(name in hooks)) throw new TypeError(`Unknown option "hooks.${name}": onRequest, onResponse or onError`);
    if (!Array.isArray(list) || !list.every((hook) => typeof hook === 'function')) {
      throw new TypeError(`Option "hooks.${name}" must be a list of functions`);
    }
    (hooks as Record<string, unknown>)[name] = [...(list as unknown[])];
  }
  return hooks;
}
