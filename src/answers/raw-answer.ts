// The bytes of a complete error answer, for the cases node gives no response
// object to answer with: a request its parser rejected, and CONNECT. The
// connection closes after it, so the body's length is the only framing needed.

import { STATUS_CODES } from 'node:http';
import { errorBody } from './error-response';
import type { HttpError } from '../errors';

/** `requestId` is sent as `x-request-id` when the request got that far (CONNECT does; a parser error does not). */
export function rawAnswer(error: HttpError, requestId?: string): string {
  const body = JSON.stringify(errorBody(error));
  let head = `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? 'Error'}\r\n`;
  if (requestId !== undefined) head += `x-request-id: ${requestId}\r\n`;
  for (const [name, value] of Object.entries(error.headers ?? {})) head += `${name}: ${value}\r\n`;
  head +=
    'content-type: application/json; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'connection: close\r\n\r\n';
  return head + body;
}
