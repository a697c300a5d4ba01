// AnswerHeaders: what every answer carries, whoever writes it: the app's
// default headers (the `headers` option, such as `Server`) and the request id.
//
// They are set on the response as the request comes in, before anything can
// answer it, so a handler's answer, the framework's own errors, a shed 503, a
// static file and /metrics all carry them. Answers written on the raw socket
// (CONNECT, a request node's parser rejected) take them as header lines.

import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { HttpRequest, HttpResponse } from '../http/http-types';

/** Header names that frame the message: the server writes them, never a default. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer']);

export class AnswerHeaders {
  /** Flat `[name, value, …]`, lower-case names. */
  private readonly defaults: readonly string[];

  /**
   * @param defaults the `headers` option, checked here.
   * @param requestIdHeader the lower-case header that carries the request id, or
   *   `undefined` when ids are neither read from requests nor sent.
   */
  constructor(
    defaults: Readonly<Record<string, string>>,
    readonly requestIdHeader: string | undefined,
  ) {
    const flat: string[] = [];
    for (const [name, value] of Object.entries(defaults)) flat.push(name.toLowerCase(), value);
    this.defaults = flat;
  }

  /** Sets them on the response to `req`, which has sent nothing yet. */
  apply(res: HttpResponse, req: HttpRequest): void {
    const defaults = this.defaults;
    for (let i = 0; i < defaults.length; i += 2) res.setHeader(defaults[i] as string, defaults[i + 1] as string);
    if (this.requestIdHeader !== undefined) res.setHeader(this.requestIdHeader, req.id);
  }

  /** The same, as `name: value\r\n` lines for an answer written on the raw socket. */
  lines(requestId: string | undefined): string {
    let lines = '';
    const defaults = this.defaults;
    for (let i = 0; i < defaults.length; i += 2) lines += `${defaults[i] as string}: ${defaults[i + 1] as string}\r\n`;
    if (this.requestIdHeader !== undefined && requestId !== undefined) {
      lines += `${this.requestIdHeader}: ${requestId}\r\n`;
    }
    return lines;
  }
}

/** Checks the `headers` option: names node accepts and the server does not own, string values. */
export function checkDefaultHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('Option "headers" must be an object of header names to string values');
  }
  const headers: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(value)) {
    const lower = name.toLowerCase();
    if (typeof headerValue !== 'string') {
      throw new TypeError(`Option "headers.${name}" must be a string`);
    }
    try {
      validateHeaderName(name);
      validateHeaderValue(name, headerValue);
    } catch (error) {
      throw new TypeError(`Option "headers.${name}" is not a valid header: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (FRAMING.has(lower)) {
      throw new TypeError(`Option "headers.${name}": ${lower} frames the message, and the server writes it`);
    }
    if (lower in headers) throw new TypeError(`Option "headers" names ${lower} twice`);
    headers[lower] = headerValue;
  }
  return headers;
}

/** Checks the `requestIdHeader` option: a header name, lower-cased, or `false` for none. */
export function checkRequestIdHeader(value: unknown): string | false {
  if (value === undefined) return 'x-request-id';
  if (value === false) return false;
  if (typeof value === 'string') {
    try {
      validateHeaderName(value);
    } catch {
      throw new TypeError(`Option "requestIdHeader" must be a header name or false, got ${JSON.stringify(value)}`);
    }
    const lower = value.toLowerCase();
    if (FRAMING.has(lower)) throw new TypeError(`Option "requestIdHeader" cannot be ${lower}`);
    return lower;
  }
  throw new TypeError('Option "requestIdHeader" must be a header name or false');
}
