// CONNECT asks a server to become a tunnel to another host: a proxy's job,
// not an origin server's. Node hands such a request to 'connect' listeners and,
// when there are none, closes the connection without a word. httppool answers
// it instead, in its usual JSON error shape: 405 with the methods it does serve.

import type { Duplex } from 'node:stream';
import { MethodNotAllowedError } from '../errors';
import type { AnswerHeaders } from '../answers/answer-headers';
import type { HttpRequest } from './http-types';
import { rawAnswer } from '../answers/error-answer';

/** Writes a complete 405 answer on the raw socket, then closes it. */
export function refuseTunnel(req: HttpRequest, socket: Duplex, allow: readonly string[], headers: AnswerHeaders): void {
  socket.on('error', () => {}); // the client may be gone already; nothing to tell it
  const refusal = new MethodNotAllowedError(req.method ?? 'CONNECT', req.url ?? '', allow);
  socket.end(rawAnswer(refusal, headers.lines(req.id)));
}
