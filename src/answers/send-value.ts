// What a handler's returned value becomes on the wire, by its type:
//
//   string                    → text/plain; charset=utf-8
//   Buffer, Uint8Array, other
//   ArrayBuffer views,
//   ArrayBuffer               → application/octet-stream
//   Readable, web ReadableStream → application/octet-stream, piped (by the job)
//   anything else             → JSON (application/json; charset=utf-8)
//
// A Content-Type the handler set is never overwritten: `res.setHeader(
// 'content-type', 'text/html')` and a returned string sends HTML. The status
// is whatever the handler set (200 by default).

import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { HttpResponse } from '../http/http-types';

const TEXT = 'text/plain; charset=utf-8';
const BYTES = 'application/octet-stream';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Writes `value` as the whole answer, or, for a stream, sets its headers and
 * returns the Readable for the caller to pipe (it owns the stream's life:
 * back-pressure, errors, a client that leaves). Throws, before writing
 * anything, for a value JSON cannot serialise (a cycle, a BigInt).
 */
export function sendValue(res: HttpResponse, value: unknown): Readable | undefined {
  if (isPlainData(value)) {
    sendJsonValue(res, value); // the common answer first: no stream or byte checks for it
  } else if (typeof value === 'string') {
    end(res, TEXT, value, Buffer.byteLength(value));
  } else if (value instanceof Uint8Array) {
    end(res, BYTES, value, value.byteLength);
  } else if (ArrayBuffer.isView(value)) {
    end(res, BYTES, Buffer.from(value.buffer, value.byteOffset, value.byteLength), value.byteLength);
  } else if (value instanceof ArrayBuffer) {
    end(res, BYTES, Buffer.from(value), value.byteLength);
  } else if (isReadable(value)) {
    if (!res.hasHeader('content-type')) res.setHeader('content-type', BYTES);
    return value;
  } else if (isWebStream(value)) {
    if (!res.hasHeader('content-type')) res.setHeader('content-type', BYTES);
    return Readable.fromWeb(value);
  } else {
    sendJsonValue(res, value);
  }
  return undefined;
}

function sendJsonValue(res: HttpResponse, value: unknown): void {
  // Stringify before writing anything: a value that cannot be serialised
  // throws here, while the response is still free to become a 500.
  const body = JSON.stringify(value) ?? 'null';
  end(res, JSON_TYPE, body, Buffer.byteLength(body));
}

/** An array, or an object made by a literal or JSON.parse: JSON, and nothing else to check for. */
function isPlainData(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === Array.prototype || proto === null;
}

function end(res: HttpResponse, type: string, body: string | Uint8Array, length: number): void {
  if (!res.hasHeader('content-type')) res.setHeader('content-type', type);
  res.setHeader('content-length', length);
  res.end(body);
}

/** A node Readable, from node:stream or a library built on it (fs, zlib, a driver's cursor stream). */
function isReadable(value: unknown): value is Readable {
  if (value instanceof Readable) return true;
  const candidate = value as Partial<Readable> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.pipe === 'function' &&
    typeof candidate.on === 'function' &&
    typeof candidate.read === 'function'
  );
}

function isWebStream(value: unknown): value is ReadableStream {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ReadableStream).getReader === 'function' &&
    typeof (value as ReadableStream).pipeTo === 'function'
  );
}
