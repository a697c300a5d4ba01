// readBody: a request's whole body, read up to a byte limit.

import { HttpError, PayloadTooLargeError } from '../errors';
import type { HttpRequest } from '../http/http-types';
import { watchBodyLimit } from '../http/pool-request';

const EMPTY = Buffer.alloc(0);

/**
 * Reads the body into one buffer. Past `limit` it rejects with
 * `PayloadTooLargeError` (413): at once when `Content-Length` says so, without
 * reading a byte; otherwise as soon as the stream passes the limit, and stops
 * reading. A client that goes away mid-body rejects it with a 400 nobody will
 * see; the caller checks `res.destroyed` before answering.
 *
 * @example
 * const raw = await readBody(req, 1024 * 1024); // Buffer, or PayloadTooLargeError
 */
export function readBody(req: HttpRequest, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(new PayloadTooLargeError(limit));
  // Someone read it already: waiting for an 'end' that has been would never settle.
  if (req.readableEnded) return Promise.resolve(EMPTY);

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const fail = (error: unknown): void => {
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) fail(new PayloadTooLargeError(limit));
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received));
    };
    const onError = (error: unknown): void =>
      fail(new HttpError(400, 'The request body could not be read', { cause: error }));
    // 'close' before 'end': the body was cut short (the client left, or node timed it out).
    const onClose = (): void => fail(new HttpError(400, 'The request body ended early'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    // An app's requests count their body bytes as node's parser pushes them and
    // drop what passes the limit, so a reader never sees those bytes, nor an
    // 'end': the overflow is reported here instead.
    watchBodyLimit(req, { bodyOverflow: fail });
  });
}
