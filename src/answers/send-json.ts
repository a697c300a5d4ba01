// Writes a JSON answer in one go, with its length.

import type { HttpResponse } from '../http/http-types';

export function sendJson(
  res: HttpResponse,
  statusCode: number,
  payload: unknown,
  headers?: Record<string, string>,
): void {
  // Stringify before writing anything: a value that cannot be serialised throws
  // here, while the response is still free to become a 500.
  const body = JSON.stringify(payload) ?? 'null';
  res.statusCode = statusCode;
  if (headers !== undefined) {
    for (const name of Object.keys(headers)) res.setHeader(name, headers[name] as string);
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
