// Answers a request for a file that exists: picks the representation
// (Range, Accept-Encoding), applies the preconditions, then writes 200, 206,
// 304, 412 or 416. The same steps for a file in memory and one on disk.

import type { OutgoingHttpHeaders } from 'node:http';
import { PreconditionFailedError, RangeNotSatisfiableError } from '../errors';
import { sendError } from '../answers/error-answer';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import { parseRange, ifRangeHolds, UNSATISFIABLE, type ByteRange } from './byte-range';
import { chooseEncoding } from './content-encoding';
import { checkPreconditions } from './preconditions';
import type { FileAnswer, Representation } from './representation';

/** Writes the body (all of it, or `range`) of a 200 or 206 whose head is already written; never for HEAD. */
export type BodyWriter = (res: HttpResponse, representation: Representation, range: ByteRange | undefined) => void;

/**
 * Answers with `file`. Returns true when a body is being written by
 * `writeBody`, false when the answer is already complete (HEAD, 304, 412, 416).
 *
 * @example
 * answerFile(req, res, cachedFile, writeFromMemory);
 */
export function answerFile(req: HttpRequest, res: HttpResponse, file: FileAnswer, writeBody: BodyWriter): boolean {
  const headers = req.headers;
  // Range applies to GET only (RFC 9110 §14.2), and to the identity bytes only:
  // a range of a brotli stream is of no use to anyone.
  const rangeHeader = req.method === 'GET' ? headers.range : undefined;
  const range =
    rangeHeader !== undefined &&
    ifRangeHolds(headers['if-range'] as string | undefined, file.identity.etag, file.lastModifiedMs)
      ? parseRange(rangeHeader, file.version.size)
      : undefined;
  const representation = range !== undefined ? file.identity : negotiate(file, headers['accept-encoding']);

  const outcome = checkPreconditions(headers, representation.etag, file.lastModifiedMs);
  if (outcome === 412) {
    sendError(res, new PreconditionFailedError());
    return false;
  }
  if (outcome === 304) {
    res.writeHead(304, representation.notModified);
    res.end();
    return false;
  }
  if (range === UNSATISFIABLE) {
    sendError(res, new RangeNotSatisfiableError(file.version.size));
    return false;
  }
  if (range === undefined) {
    res.writeHead(200, representation.headers);
  } else {
    const partial: OutgoingHttpHeaders = {
      ...representation.headers,
      'content-length': range.end - range.start + 1,
      'content-range': `bytes ${range.start}-${range.end}/${file.version.size}`,
    };
    res.writeHead(206, partial);
  }
  if (req.method === 'HEAD') {
    res.end();
    return false;
  }
  writeBody(res, representation, range);
  return true;
}

/** The body writer of a file held in memory. */
export const writeFromMemory: BodyWriter = (res, representation, range) => {
  const body = representation.body as Buffer;
  // subarray shares the cached bytes: a range costs no copy.
  res.end(range === undefined ? body : body.subarray(range.start, range.end + 1));
};

function negotiate(file: FileAnswer, acceptEncoding: string | undefined): Representation {
  if (file.br === undefined && file.gzip === undefined) return file.identity;
  const encoding = chooseEncoding(acceptEncoding, file.br !== undefined, file.gzip !== undefined);
  return (encoding === 'br' ? file.br : encoding === 'gzip' ? file.gzip : undefined) ?? file.identity;
}
