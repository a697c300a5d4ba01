// The types a handler sees: node's request and response, plus what httppool adds.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { UploadedFile } from '../input/multipart-body';
import type { CookieOptions } from './cookies';

/** Path parameters, by name, as the router decoded them. */
export type RouteParams = Record<string, string>;

/** The query string, parsed: repeated keys give arrays. */
export type RouteQuery = Record<string, string | string[]>;

/**
 * Node's `IncomingMessage` plus what httppool adds. The type parameters give
 * the shapes of `body`, `query` and `params` when a route declares them.
 */
export interface HttpRequest<Body = unknown, Query = RouteQuery, Params = RouteParams> extends IncomingMessage {
  params: Params;
  query: Query;
  body: Body;
  /** The request id: a plain incoming one (`x-request-id`, or the `requestIdHeader` option), else generated. */
  readonly id: string;
  /** Aborts when the client goes away (and, with deadlines, when one passes). */
  readonly signal: AbortSignal;
  /** A child logger that carries the request id. */
  readonly log: Logger;
  /** The Cookie header, parsed on first read (signed ones are in `signedCookies` when the app has a secret). */
  readonly cookies: Record<string, string>;
  /** Signed cookies, checked against `cookies.secret`: the value, or `false` when the signature does not match. */
  readonly signedCookies: Record<string, string | false>;
  /** The uploaded files of a route with a multipart body (removed from disk when the request ends). */
  files?: UploadedFile[];
}

/** Node's `ServerResponse` plus the cookie helpers. */
export interface HttpResponse extends ServerResponse<IncomingMessage> {
  /** Appends a Set-Cookie (path `/` unless given); `signed` signs it with the app's `cookies.secret`. */
  setCookie(name: string, value: string, options?: CookieOptions): this;
  /** Tells the client to drop a cookie (give the path and domain it was set with). */
  clearCookie(name: string, options?: CookieOptions): this;
}

/**
 * Tells the pool the job is finished and frees its worker. Ends the response if
 * the handler left it open; with an error, answers 500 (or the error's status)
 * when nothing was sent yet. Calling it more than once is harmless.
 */
export type Complete = (error?: unknown) => void;

/** A controller method as httppool calls it. */
export type RouteHandler = (res: HttpResponse, req: HttpRequest, complete: Complete) => unknown;

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
