// readBody: a request's whole body, read up to its limit (body-limit.ts).

import { HttpError } from '../errors';
import type { HttpRequest } from '../http/http-types';
import { holdBodyOverflow, releaseBodyOverflow } from './body-limit';

const EMPTY = Buffer.alloc(0);

/**
 * Reads the body into one buffer. Past the request's limit it rejects with
 * `PayloadTooLargeError` (413) as soon as the counter says so, and stops
 * reading (a declared length over it was answered before routing). A client
 * that goes away mid-body rejects it with a 400 nobody will see; the caller
 * checks `res.destroyed` before answering.
 *
 * @example
 * const raw = await readBody(req); // Buffer, or PayloadTooLargeError
 */
export function readBody(req: HttpRequest): Promise<Buffer> {
  // Someone read it already: waiting for an 'end' that has been would never settle.
  if (req.readableEnded) return Promise.resolve(EMPTY);

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const overflow = { bodyOverflow: (error: unknown) => fail(error) };
    const cleanup = (): void => {
      releaseBodyOverflow(req, overflow);
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
      chunks.push(chunk);
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
    // Bytes past the limit never reach 'data', nor does an 'end': the overflow is reported here instead.
    holdBodyOverflow(req, overflow);
  });
}
