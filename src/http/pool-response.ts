// PoolResponse: node's ServerResponse, telling the job it answers how it ends,
// with the cookie helpers (`setCookie`, `clearCookie`) a handler sees.
//
// A job must hear two events of its response: 'close' (the request is over;
// before the response finished, the client left) and 'error' (node reports a
// write after end() there, and an 'error' nobody hears ends the process).
// Listeners would not do: a handler can take them off (removeAllListeners),
// and a job that never hears its client leave holds its worker forever. So
// the events are heard in emit() itself. app.server makes its responses from
// this class; a response from another server (`app.dispatch` glued into a
// plain node server) gets the same emit() on the instance, in front of its own.

import { ServerResponse, type IncomingMessage } from 'node:http';
import { clearCookie, setCookie, type CookieOptions } from './cookies';
import { cookieSecretsOf } from './pool-request';

/** What a response tells about its own end. */
export interface ResponseWatcher {
  /** The response closed, finished or not. */
  responseClosed(): void;
  /** node reported an error on the response (a write after end()). */
  responseFailed(error: Error): void;
}

const kWatcher = Symbol('httppool.responseWatcher');
const kOwnEmit = Symbol('httppool.ownEmit');

type Emit = ServerResponse['emit'];

interface Watched {
  [kWatcher]?: ResponseWatcher | undefined;
  /** The emit() an adopted response had before watchResponse() put one in front of it. */
  [kOwnEmit]?: Emit;
}

export class PoolResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  [kWatcher]: ResponseWatcher | undefined = undefined;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (!tellWatcher(this, event, args[0])) return false;
    return super.emit(event, ...args);
  }

  /** Appends a Set-Cookie (path `/` unless given); `signed` signs it with the app's `cookies.secret`. */
  setCookie(name: string, value: string, options?: CookieOptions): this {
    setCookie(this, cookieSecretsOf(this.req), name, value, options);
    return this;
  }

  /** Tells the client to drop a cookie (give the path and domain it was set with). */
  clearCookie(name: string, options?: CookieOptions): this {
    clearCookie(this, name, options);
    return this;
  }
}

const responseHelpers = {
  setCookie: Object.getOwnPropertyDescriptor(PoolResponse.prototype, 'setCookie') as PropertyDescriptor,
  clearCookie: Object.getOwnPropertyDescriptor(PoolResponse.prototype, 'clearCookie') as PropertyDescriptor,
};

/** Gives a response from another server (via `app.dispatch`) the helpers a PoolResponse has. */
export function adoptResponse(res: ServerResponse): void {
  if (!(res instanceof PoolResponse)) Object.defineProperties(res, responseHelpers);
}

/** Tells `watcher` when `res` closes or fails; once per response. */
export function watchResponse(res: ServerResponse, watcher: ResponseWatcher): void {
  const self = res as ServerResponse & Watched;
  self[kWatcher] = watcher;
  if (res instanceof PoolResponse || self[kOwnEmit] !== undefined) return;
  self[kOwnEmit] = res.emit;
  res.emit = emitWatched;
}

// The emit() of a response from another server, once watched.
function emitWatched(this: ServerResponse & Watched, event: string | symbol, ...args: unknown[]): boolean {
  if (!tellWatcher(this, event, args[0])) return false;
  return (this[kOwnEmit] as Emit).call(this, event, ...args);
}

/** Tells the response's watcher, if any, of `event`; false if the event must go no further. */
function tellWatcher(res: ServerResponse & Watched, event: string | symbol, error: unknown): boolean {
  const watcher = res[kWatcher];
  if (watcher === undefined) return true;
  if (event === 'close') {
    watcher.responseClosed();
  } else if (event === 'error') {
    watcher.responseFailed(error as Error);
    // Heard: without listeners of its own, it must not throw.
    if (res.listenerCount('error') === 0) return false;
  }
  return true;
}
