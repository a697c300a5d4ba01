// CONNECT asks a server to become a tunnel to another host: a proxy's job,
// not an origin server's. Node hands such a request to 'connect' listeners and,
// when there are none, closes the connection without a word. httppool answers
// it instead, in its usual JSON error shape: 405 with the methods it does serve.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from './error-response';
import { MethodNotAllowedError } from './errors';

/** Writes a complete 405 answer on the raw socket, then closes it. */
export function refuseTunnel(req: IncomingMessage, socket: Duplex, allow: readonly string[]): MethodNotAllowedError {
  const error = new MethodNotAllowedError(req.method ?? 'CONNECT', req.url ?? '', allow);
  const body = JSON.stringify(errorBody(error));
  socket.on('error', () => {}); // the client may be gone already; nothing to tell it
  socket.end(
    'HTTP/1.1 405 Method Not Allowed\r\n' +
      `Allow: ${allow.join(', ')}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n' +
      '\r\n' +
      body,
  );
  return error;
}
