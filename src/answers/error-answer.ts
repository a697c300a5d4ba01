// The one place an error becomes bytes: through a response object, or, where
// node gives none (a request its parser rejected, CONNECT), as raw bytes for
// the socket.
//
// Every error answer has the same JSON shape:
//   { "statusCode": 503, "error": "Service Unavailable", "message": "…", "details"?: … }
// An HttpError shows its status and message. An error from another library
// that carries a `statusCode` (or `status`) from 400 to 599, as http-errors
// makes them, is answered with that status; its message is shown only when it
// is meant to be (`expose`, true by default for 4xx), else the status's
// reason phrase. Anything else is a bare 500 whose real cause goes to the
// log, never to the client.

import { STATUS_CODES } from 'node:http';
import { HttpError } from '../errors';
import type { ErrorAnswer } from '../filters/error-filter';
import { errorFiltersOf, type ErrorFilterChain } from '../filters/error-filter-chain';
import { hooksOf } from '../hooks/app-hooks';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import { sendJson } from './send-json';
import { sendValue } from './send-value';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/** What the http-errors convention puts on an error (fastify, express and koa read the same). */
interface ForeignHttpError {
  statusCode?: unknown;
  status?: unknown;
  expose?: unknown;
  message?: unknown;
}

/** The status an error will be answered with. */
export function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.statusCode;
  return foreignStatusOf(error) ?? 500;
}

/** `statusCode`, else `status`, when it is an integer from 400 to 599. */
function foreignStatusOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { statusCode, status } = error as ForeignHttpError;
  const value = statusCode !== undefined ? statusCode : status;
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599 ? value : undefined;
}

export function errorBody(error: unknown): ErrorBody {
  const statusCode = statusOf(error);
  const reason = STATUS_CODES[statusCode] ?? 'Error';
  const body: ErrorBody = { statusCode, error: reason, message: messageOf(error, statusCode, reason) };
  if (error instanceof HttpError && error.details !== undefined) body.details = error.details;
  return body;
}

// An HttpError's message is meant for the client. Another error's is shown
// only when it says so (`expose`), which http-errors sets for 4xx: a 5xx
// message may carry internals (a query, a path, a host).
function messageOf(error: unknown, statusCode: number, reason: string): string {
  if (error instanceof HttpError) return error.message;
  if (foreignStatusOf(error) === undefined) return reason; // a bare 500: 'Internal Server Error'
  const { expose, message } = error as ForeignHttpError;
  const exposed = typeof expose === 'boolean' ? expose : statusCode < 500;
  return exposed && typeof message === 'string' && message !== '' ? message : reason;
}

/**
 * Answers with the error if nothing was sent yet; otherwise the response is
 * beyond repair and its connection is closed, so the client sees a truncated
 * answer rather than a wrong one.
 */
export function sendError(res: HttpResponse, error: unknown): void {
  hooksOf(res)?.errored(error, res.req as HttpRequest);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Headers that describe the success body a handler meant to send do not
  // describe the error body; the rest (CORS, cookies) stay.
  for (const name of res.getHeaderNames()) if (name.startsWith('content-')) res.removeHeader(name);
  const filters = errorFiltersOf(res);
  if (filters !== undefined && sendFiltered(res, error, filters)) return;
  sendJson(res, statusOf(error), errorBody(error), error instanceof HttpError ? error.headers : undefined);
}

/**
 * Answers with the first filter's answer; false when no filter answered, or
 * its answer could not be sent (logged), and the default answer should go.
 */
function sendFiltered(res: HttpResponse, error: unknown, filters: ErrorFilterChain): boolean {
  const req = res.req as HttpRequest;
  const failed = (problem: unknown): void =>
    req.log.error({ err: problem, cause: error }, 'an error filter failed: its answer is skipped');
  const answer = filters.answer(error, req, statusOf(error), failed);
  if (answer === undefined) return false;
  const set = setAnswerHeaders(res, answer);
  try {
    if (answer.body === undefined) {
      res.statusCode = answer.status;
      res.setHeader('content-length', 0);
      res.end();
      return true;
    }
    res.statusCode = answer.status;
    const stream = sendValue(res, answer.body);
    if (stream === undefined) return true;
    stream.destroy();
    throw new TypeError('an error filter answered a stream: send strings, bytes or JSON values');
  } catch (problem) {
    failed(problem);
    for (const name of set) res.removeHeader(name);
    return false;
  }
}

function setAnswerHeaders(res: HttpResponse, answer: ErrorAnswer): string[] {
  const set: string[] = [];
  for (const [name, value] of Object.entries(answer.headers ?? {})) {
    res.setHeader(name, value as string | string[]);
    set.push(name);
  }
  return set;
}

/** An error answer serialised once, for answers sent often and in bulk (shedding). */
export interface PrebuiltAnswer {
  /** The error it was built from, for a response whose error filters must see it. */
  readonly error: HttpError;
  readonly statusCode: number;
  /** Flat `[name, value, …]`, the form node's writeHead takes fastest. */
  readonly headers: readonly string[];
  readonly body: string;
}

/**
 * Serialises an error answer once. Shedding is the one error path that runs
 * thousands of times a second exactly when the server is busiest: building an
 * Error (its stack trace) and a JSON body per 503 measured 75 µs of CPU, against
 * 33 µs for a hand-written 503.
 */
export function prebuild(error: HttpError): PrebuiltAnswer {
  const body = JSON.stringify(errorBody(error));
  const headers = [
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(body)),
  ];
  for (const [name, value] of Object.entries(error.headers ?? {})) headers.push(name, value);
  return { error, statusCode: error.statusCode, headers, body };
}

export function sendPrebuilt(res: HttpResponse, answer: PrebuiltAnswer): void {
  if (errorFiltersOf(res) !== undefined || hooksOf(res) !== undefined) {
    sendError(res, answer.error);
    return;
  }
  res.writeHead(answer.statusCode, answer.headers as string[]);
  res.end(answer.body);
}

/**
 * The bytes of a complete error answer, for a socket with no response object.
 * The connection closes after it, so the body's length is the only framing
 * needed. `headerLines` are the app's own (its defaults and the request id,
 * when the request got that far: CONNECT does, a parser error does not).
 */
export function rawAnswer(error: HttpError, headerLines = ''): string {
  const body = JSON.stringify(errorBody(error));
  let head = `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? 'Error'}\r\n` + headerLines;
  for (const [name, value] of Object.entries(error.headers ?? {})) head += `${name}: ${value}\r\n`;
  head +=
    'content-type: application/json; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'connection: close\r\n\r\n';
  return head + body;
}
