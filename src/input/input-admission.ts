// InputAdmission: a route that declares input has its body read, parsed and
// validated on the event loop before the request becomes a job, so the pool's
// bound does not cover that work. Tried as an attacker would: 40 valid 1 MB
// bodies at once (0.38 s of CPU each) took an unrelated route from 2 ms to
// 5.3 s without one 503. This bounds how many bodies are read at once and how
// many of their bytes; past it a request is shed with 503 and Retry-After,
// its body unread, like any other overload.

import { checkPositiveFields } from '../option-fields';

/** `inputLimits`: how much body reading may be in flight at once. */
export interface InputLimitsOptions {
  /** Bodies read and validated at once (default 32). */
  requests?: number;
  /**
   * Their bytes (declared `Content-Length`, or the route's body limit for a
   * chunked body), default 4 MiB. Multipart bodies do not count: their files
   * stream to disk or memory under their own limits, with little CPU.
   */
  bytes?: number;
}

export type ResolvedInputLimits = Required<InputLimitsOptions>;

export const DEFAULT_INPUT_LIMITS: ResolvedInputLimits = { requests: 32, bytes: 4 * 1024 * 1024 };

export class InputAdmission {
  private requests = 0;
  private bytes = 0;

  constructor(private readonly limits: ResolvedInputLimits) {}

  /**
   * Takes a place for a body of `bytes`; false when the bound is reached.
   * With nothing in flight one body is always taken, however large its
   * route allows it to be: the bound sheds a crowd, never a lone request.
   */
  tryAdmit(bytes: number): boolean {
    if (this.requests > 0 && (this.requests >= this.limits.requests || this.bytes + bytes > this.limits.bytes)) {
      return false;
    }
    this.requests++;
    this.bytes += bytes;
    return true;
  }

  /** The body taken with `bytes` was read (or failed). */
  release(bytes: number): void {
    this.requests--;
    this.bytes -= bytes;
  }
}

/** Checks the `inputLimits` option. */
export function checkInputLimits(value: unknown): ResolvedInputLimits {
  return checkPositiveFields('inputLimits', value, DEFAULT_INPUT_LIMITS);
}
