// The body limit (`bodyLimit`), in one place: the check of a declared
// `Content-Length`, the one counter of body bytes as node's parser pushes
// them, and who is told when a body passes the limit.
//
// Counting at the parser (PoolRequest.push) covers every body, chunked or
// declared, whether a handler reads it as a stream or validated input reads
// it for one: past the limit, chunks are dropped, so a reader never sees them
// nor an 'end', and the one listener holding the request is told instead.
// That listener is handed over explicitly: validated input holds it while it
// reads, lets go, and only then does the job that runs the handler take it.

import { PayloadTooLargeError, type HttpError } from '../errors';
import type { HttpRequest } from '../http/http-types';

/** Told when a request's body passes its limit while being read. */
export interface BodyOverflowListener {
  bodyOverflow(error: HttpError): void;
}

const kLimit = Symbol('httppool.bodyLimit');
const kReceived = Symbol('httppool.bodyReceived');
const kListener = Symbol('httppool.bodyListener');

interface Counted {
  [kLimit]: number;
  [kReceived]?: number;
  [kListener]?: BodyOverflowListener | undefined;
}

/** Whether a request carries a body: without Content-Length or Transfer-Encoding it has none (RFC 9112 §6.3). */
export function declaresBody(req: HttpRequest): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > 0;
}

/** Sets the limit a request's body is counted against (at adoption). */
export function limitBody(req: object, limit: number): void {
  (req as Counted)[kLimit] = limit;
}

/** The request's body limit. */
export function bodyLimitOf(req: HttpRequest): number {
  return (req as unknown as Counted)[kLimit];
}

/**
 * The one check of a declared length: a 413 to answer before a byte is read,
 * or undefined. Also a 413 when more than the limit has arrived already (a
 * route's limit set, once routed, below what was let in before routing).
 */
export function declaredTooLarge(req: HttpRequest): PayloadTooLargeError | undefined {
  const declared = req.headers['content-length'];
  const limit = bodyLimitOf(req);
  if (declared !== undefined && Number(declared) > limit) return new PayloadTooLargeError(limit);
  return ((req as unknown as Counted)[kReceived] ?? 0) > limit ? new PayloadTooLargeError(limit) : undefined;
}

/**
 * Counts a chunk node's parser is pushing; false when it passed the limit and
 * must be dropped. The listener hears of it once, on the chunk that crossed.
 */
export function countBodyChunk(req: object, chunk: Buffer): boolean {
  const self = req as Counted;
  const received = (self[kReceived] ?? 0) + chunk.length;
  self[kReceived] = received;
  const limit = self[kLimit];
  if (received <= limit) return true;
  if (received - chunk.length <= limit) self[kListener]?.bodyOverflow(new PayloadTooLargeError(limit));
  return false;
}

/**
 * Makes `listener` the one told of an overflow. Taking it while another holds
 * it is a bug (two readers of one body), so it throws rather than steal it.
 */
export function holdBodyOverflow(req: HttpRequest, listener: BodyOverflowListener): void {
  const self = req as unknown as Counted;
  if (self[kListener] !== undefined && self[kListener] !== listener) {
    throw new Error('httppool: a request body has two readers');
  }
  self[kListener] = listener;
}

/** Lets go of the overflow, if `listener` holds it. */
export function releaseBodyOverflow(req: HttpRequest, listener: BodyOverflowListener): void {
  const self = req as unknown as Counted;
  if (self[kListener] === listener) self[kListener] = undefined;
}
