// A request node's parser rejected never becomes a request object: node emits
// 'clientError' with the socket instead. Left alone, node writes a bare
// "400 Bad Request" with no body (and nothing at all on a connection that has
// already answered once). httppool answers in its JSON error shape, saying
// what was wrong, then closes the connection: the parser cannot resync.

import type { ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import {
  HeadersTooLargeError,
  MalformedRequestError,
  PayloadTooLargeError,
  RequestTimeoutError,
  type HttpError,
} from '../errors';
import type { AnswerHeaders } from '../answers/answer-headers';
import { rawAnswer } from '../answers/error-answer';

/** node's limit on one chunk's extensions (kMaxChunkExtensionsSize in its parser). */
const CHUNK_EXTENSIONS_LIMIT = 16 * 1024;

/** What node's parser and timeouts put on the error. */
interface ClientError extends Error {
  code?: string;
  /** llhttp's reason, such as "Invalid header value char". */
  reason?: string;
}

/** The answer for a parser or timeout error. */
export function clientErrorAnswer(error: ClientError, maxHeaderSize: number): HttpError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RequestTimeoutError({ cause: error });
    case 'HPE_HEADER_OVERFLOW':
      return new HeadersTooLargeError(maxHeaderSize, { cause: error });
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new PayloadTooLargeError(CHUNK_EXTENSIONS_LIMIT, 'Chunk extensions', { cause: error });
    default:
      return new MalformedRequestError(error.reason, { cause: error });
  }
}

/** Sockets already answered: a failed parser reports again on every chunk that follows. */
const handled = new WeakSet<Duplex>();

/** node's `'clientError'` listener. */
export function answerClientError(
  error: ClientError,
  socket: Duplex,
  logger: Logger,
  maxHeaderSize: number,
  headers: AnswerHeaders,
  answered: (status: number) => void,
): void {
  // A reset connection is already gone: nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed || handled.has(socket)) return;
  handled.add(socket);
  const answer = clientErrorAnswer(error, maxHeaderSize);
  // debug, not warn: any client can send garbage, and a log must not be floodable.
  logger.debug({ err: error, status: answer.statusCode }, 'malformed request');
  socket.pause(); // the parser has failed: read nothing more
  // Where the answer goes depends on the response node is writing on this
  // connection, if any (it keeps it in socket._httpMessage):
  const current = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (current == null || current.writableEnded) {
    if (send(socket, answer, headers)) answered(answer.statusCode); // none, or it is all queued already: ours follows it
  } else if (current.req.complete) {
    // A whole request still being answered: let it finish.
    current.once('close', () => {
      if (send(socket, answer, headers)) answered(answer.statusCode);
    });
  } else if (!current.headersSent) {
    // Its request's body failed to parse and never will: that request is the
    // malformed one, and nothing of its response went out yet. Its job counts
    // it when its response closes (as cut: status 0), so it is not counted here.
    send(socket, answer, headers);
  } else {
    socket.destroy(); // its body failed mid-answer: cut it, as node does
  }
}

/** Writes the answer and closes; false if the socket could no longer take it. */
function send(socket: Duplex, answer: HttpError, headers: AnswerHeaders): boolean {
  if (!socket.writable) {
    socket.destroy();
    return false;
  }
  socket.end(rawAnswer(answer, headers.lines(undefined)));
  // The server's sockets are half-open: close once the answer is flushed.
  if (socket instanceof Socket) socket.destroySoon();
  else socket.destroy();
  return true;
}
