// PoolRequest: node's IncomingMessage with what httppool adds to a request.
//
// `id`, `signal`, `log` and the cookies are getters that build their value on
// first use: most handlers never touch a signal, and an AbortController per
// request would cost every request for the few that do.

import { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { countBodyChunk, limitBody } from '../input/body-limit';
import { parseCookies, type RequestCookies } from './cookies';
import type { HttpRequest, RouteParams, RouteQuery } from './http-types';
import { RequestIds } from './request-ids';

/** What an app tells each of its requests; made once per app. */
export interface RequestSettings {
  readonly logger: Logger;
  readonly bodyLimit: number;
  /** The lower-case header the id is read from, or `undefined` for none. */
  readonly idHeader: string | undefined;
  /** The `cookies.secret` list: the first signs, every one verifies. */
  readonly cookieSecrets: readonly string[];
}

const kSettings = Symbol('httppool.settings');
const kCookies = Symbol('httppool.cookies');
const kId = Symbol('httppool.id');
const kLog = Symbol('httppool.log');
const kAbort = Symbol('httppool.abort');
const kAbortReason = Symbol('httppool.abortReason');

// A client's own request id is kept when it is short and plain.
const SANE_REQUEST_ID = /^[\w.:@-]{1,128}$/;

const generatedIds = new RequestIds();

interface RequestState {
  [kSettings]: RequestSettings;
  [kCookies]?: RequestCookies;
  [kId]?: string;
  [kLog]?: Logger;
  [kAbort]?: AbortController;
  [kAbortReason]?: unknown;
}

export class PoolRequest extends IncomingMessage implements HttpRequest {
  declare params: RouteParams;
  declare query: RouteQuery;
  declare body: unknown;

  get id(): string {
    const self = this as unknown as RequestState;
    if (self[kId] === undefined) {
      const name = self[kSettings].idHeader;
      const incoming = name === undefined ? undefined : this.headers[name];
      self[kId] = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : generatedIds.next();
    }
    return self[kId];
  }

  get signal(): AbortSignal {
    const self = this as unknown as RequestState;
    if (self[kAbort] === undefined) {
      self[kAbort] = new AbortController();
      if (kAbortReason in self) self[kAbort].abort(self[kAbortReason]);
    }
    return self[kAbort].signal;
  }

  get log(): Logger {
    const self = this as unknown as RequestState;
    return (self[kLog] ??= self[kSettings].logger.child({ reqId: this.id }));
  }

  get cookies(): Record<string, string> {
    return cookiesOf(this).cookies;
  }

  get signedCookies(): Record<string, string | false> {
    return cookiesOf(this).signedCookies;
  }

  // node's parser pushes each body chunk here as it arrives, whether or not a
  // Content-Length was declared: the one place every body can be counted
  // against its limit without reading it for the handler (see body-limit).
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null || countBodyChunk(this, chunk as Buffer)) return super.push(chunk, encoding);
    return false;
  }
}

const lazyProperties = Object.getOwnPropertyDescriptors(PoolRequest.prototype);
delete (lazyProperties as Record<string, unknown>)['constructor'];

/**
 * Readies a request for a handler. Requests from `app.server` already are
 * PoolRequests; one from another server (via `app.dispatch`) gets the same
 * getters, and the body counter, on the instance.
 */
export function adoptRequest(req: IncomingMessage, settings: RequestSettings): HttpRequest {
  if (!(req instanceof PoolRequest)) Object.defineProperties(req, lazyProperties);
  (req as unknown as RequestState)[kSettings] = settings;
  limitBody(req, settings.bodyLimit);
  return req as HttpRequest;
}

/** The cookie secrets of the app that adopted `req` (none for a request it never saw). */
export function cookieSecretsOf(req: IncomingMessage): readonly string[] {
  return (req as unknown as Partial<RequestState>)[kSettings]?.cookieSecrets ?? [];
}

function cookiesOf(req: IncomingMessage): RequestCookies {
  const self = req as unknown as RequestState;
  return (self[kCookies] ??= parseCookies(req.headers.cookie, self[kSettings].cookieSecrets));
}

/** Aborts the request's signal (now, or when it is first read). Idempotent. */
export function abortRequest(req: HttpRequest, reason: unknown): void {
  const self = req as unknown as RequestState;
  if (kAbortReason in self) return;
  self[kAbortReason] = reason;
  self[kAbort]?.abort(reason);
}
