// The one place an error becomes a response.
//
// Every error answer has the same JSON shape:
//   { "statusCode": 503, "error": "Service Unavailable", "message": "…", "details"?: … }
// An HttpError shows its status and message; anything else is a bare 500 whose
// real cause goes to the log, never to the client.

import { STATUS_CODES } from 'node:http';
import { HttpError } from './errors';
import type { HttpResponse } from './http-types';
import { sendJson } from './send-json';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/** The status an error will be answered with. */
export function statusOf(error: unknown): number {
  return error instanceof HttpError ? error.statusCode : 500;
}

export function errorBody(error: unknown): ErrorBody {
  const statusCode = statusOf(error);
  const body: ErrorBody = {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message: error instanceof HttpError ? error.message : 'Internal Server Error',
  };
  if (error instanceof HttpError && error.details !== undefined) body.details = error.details;
  return body;
}

/**
 * Answers with the error if nothing was sent yet; otherwise the response is
 * beyond repair and its connection is closed, so the client sees a truncated
 * answer rather than a wrong one.
 */
export function sendError(res: HttpResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Headers that describe the success body a handler meant to send do not
  // describe the error body; the rest (CORS, cookies) stay.
  for (const name of res.getHeaderNames()) if (name.startsWith('content-')) res.removeHeader(name);
  sendJson(res, statusOf(error), errorBody(error), error instanceof HttpError ? error.headers : undefined);
}
