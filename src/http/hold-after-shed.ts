// The `holdShedConnections` option: after a shed 503 on a kept-alive
// connection, the connection's next request is read only once the 503's
// Retry-After has passed. A client that retries at once (a load balancer, a
// naive SDK, autocannon) then waits as it was told to, held by TCP's own
// back-pressure, instead of costing the server a parse and a 503 per retry
// thousands of times a second; one that honours Retry-After waits anyway,
// so it loses nothing. Every request is still answered, once, later.

import type { Socket } from 'node:net';
import type { HttpResponse } from './http-types';

/** Stop reading `res`'s connection for `ms` once `res` has gone out, if the connection stays open. */
export function holdAfterShed(res: HttpResponse, ms: number): void {
  const socket = res.socket as Socket | null;
  // app.inject's stand-in socket cannot pause: there is no connection to hold.
  if (socket === null || typeof socket.pause !== 'function' || !res.shouldKeepAlive || ms <= 0) return;
  // After node's own 'finish' listener, which may resume the socket for the next request.
  res.once('finish', () => {
    if (socket.destroyed) return;
    socket.pause();
    const timer = setTimeout(() => {
      if (!socket.destroyed) socket.resume();
    }, ms);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}
