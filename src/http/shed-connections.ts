// The `holdShedConnections` option: a client that retries a 503 before its
// Retry-After has passed (a load balancer, a naive SDK, autocannon) gets the
// retry's 503 only once that window has passed, so it waits as it was told
// instead of costing the server a parse and a 503 per retry, thousands of
// times a second. Only an early retry that would be shed again waits: one
// that finds room is served at once, and a client that honours Retry-After,
// or a pooled connection lent to another request, is never held. Every
// request still gets exactly one answer.

import type { Socket } from 'node:net';
import type { HttpResponse } from './http-types';

/** The longest an early retry's 503 is held, whatever its Retry-After says. */
const MAX_HOLD_MS = 30_000;

export class ShedConnections {
  /** Until when each connection that was answered a 503 is told to wait (performance.now()). */
  private readonly windows = new WeakMap<Socket, number>();

  /**
   * Answers a shed request with `answer()`: at once, or, for a retry that came
   * on its connection within the Retry-After of that connection's last 503,
   * once that window has passed (unless the client left meanwhile).
   */
  refuse(res: HttpResponse, retryAfterSeconds: number, answer: () => void): void {
    const socket = res.socket as Socket | null;
    // app.inject's stand-in socket, or a connection that closes after this answer: nothing to hold.
    if (socket === null || typeof socket.pause !== 'function' || !res.shouldKeepAlive) {
      answer();
      return;
    }
    const now = performance.now();
    const until = this.windows.get(socket);
    if (until === undefined || now >= until) {
      this.windows.set(socket, now + retryAfterSeconds * 1000);
      answer();
      return;
    }
    const timer = setTimeout(
      () => {
        if (res.destroyed || res.headersSent) return;
        this.windows.set(socket, performance.now() + retryAfterSeconds * 1000);
        answer();
      },
      Math.min(until - now, MAX_HOLD_MS),
    );
    res.once('close', () => clearTimeout(timer));
  }
}
