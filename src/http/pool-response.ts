// PoolResponse: node's ServerResponse, telling the job it answers how it ends.
//
// A job must hear two events of its response: 'close' (the request is over;
// before the response finished, the client left) and 'error' (node reports a
// write after end() there, and an 'error' nobody hears ends the process).
// Two listeners per request cost two addListener calls and a property on
// node's object; app.server makes its responses from this class instead,
// whose emit() tells the watcher directly. A response from another server
// (`app.dispatch` glued into a plain node server) gets the two listeners.

import { ServerResponse, type IncomingMessage } from 'node:http';

/** What a response tells about its own end. */
export interface ResponseWatcher {
  /** The response closed, finished or not. */
  responseClosed(): void;
  /** node reported an error on the response (a write after end()). */
  responseFailed(error: Error): void;
}

const kWatcher = Symbol('httppool.responseWatcher');

type Watched = ServerResponse & { [kWatcher]: ResponseWatcher };

export class PoolResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  [kWatcher]: ResponseWatcher | undefined = undefined;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const watcher = this[kWatcher];
    if (watcher !== undefined) {
      if (event === 'close') {
        watcher.responseClosed();
      } else if (event === 'error') {
        watcher.responseFailed(args[0] as Error);
        // Heard: without listeners of its own, it must not throw.
        if (this.listenerCount('error') === 0) return false;
      }
    }
    return super.emit(event, ...args);
  }
}

/** Tells `watcher` when `res` closes or fails; once per response. */
export function watchResponse(res: ServerResponse, watcher: ResponseWatcher): void {
  if (res instanceof PoolResponse) {
    res[kWatcher] = watcher;
    return;
  }
  (res as Watched)[kWatcher] = watcher;
  // `on`, not `once`: 'close' comes once anyway, and once() wraps the listener per call.
  res.on('close', onClose);
  res.on('error', onError);
}

function onClose(this: Watched): void {
  this[kWatcher].responseClosed();
}

function onError(this: Watched, error: Error): void {
  this[kWatcher].responseFailed(error);
}
