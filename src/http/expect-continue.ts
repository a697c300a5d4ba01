// `Expect: 100-continue`: a client announces a body and waits for a go-ahead
// before it uploads. node sends "100 Continue" at once unless someone listens
// for 'checkContinue'; httppool listens, and sends it only when the body will
// be used: when a worker takes the job, or when validated input is about to be
// read. A request answered before that (404, 413 by Content-Length, a shed
// 503, a queue timeout) costs the client no upload.

import type { ServerResponse } from 'node:http';

const kKeepAlive = Symbol('httppool.continueKeepAlive');
type AwaitingResponse = ServerResponse & { [kKeepAlive]?: boolean | undefined };

/**
 * Marks a response whose request waits for "100 Continue". Until it is sent,
 * any answer closes the connection: the announced body may never come, so the
 * connection cannot carry another request (RFC 9110 §10.1.1).
 */
export function awaitContinue(res: ServerResponse): void {
  const awaiting = res as AwaitingResponse;
  awaiting[kKeepAlive] = res.shouldKeepAlive;
  res.shouldKeepAlive = false;
}

/** Sends "100 Continue" if the request waits for it; a no-op otherwise. */
export function sendContinue(res: ServerResponse): void {
  const awaiting = res as AwaitingResponse;
  const keepAlive = awaiting[kKeepAlive];
  if (keepAlive === undefined) return;
  awaiting[kKeepAlive] = undefined;
  if (res.headersSent || res.destroyed) return;
  res.shouldKeepAlive = keepAlive;
  res.writeContinue();
}
