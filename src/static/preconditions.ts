// Conditional requests (RFC 9110 §13): If-Match, If-Unmodified-Since,
// If-None-Match and If-Modified-Since, evaluated in the RFC's order.

import type { IncomingHttpHeaders } from 'node:http';

/** What the preconditions say: go on (0), answer 304, or answer 412. */
export type PreconditionOutcome = 0 | 304 | 412;

/**
 * Evaluates a GET or HEAD's preconditions against the representation about to
 * be sent. `lastModifiedMs` must be whole seconds, as HTTP dates are.
 *
 * @example
 * checkPreconditions({ 'if-none-match': '"1a-18f"' }, '"1a-18f"', lastModifiedMs); // 304
 * checkPreconditions({ 'if-match': '"other"' }, '"1a-18f"', lastModifiedMs); // 412
 */
export function checkPreconditions(
  headers: IncomingHttpHeaders,
  etag: string,
  lastModifiedMs: number,
): PreconditionOutcome {
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    if (!matchesAny(ifMatch, etag, false)) return 412;
  } else {
    const since = httpDate(headers['if-unmodified-since']);
    if (since !== undefined && lastModifiedMs > since) return 412;
  }
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) return matchesAny(ifNoneMatch, etag, true) ? 304 : 0;
  const since = httpDate(headers['if-modified-since']);
  return since !== undefined && lastModifiedMs <= since ? 304 : 0;
}

/**
 * True when `list` (an entity-tag list, or `*`) names `etag`. Weak comparison
 * (If-None-Match) ignores `W/`; strong comparison (If-Match) never matches a
 * weak tag. Our own tags are always strong.
 *
 * @example
 * matchesAny('W/"a", "b"', '"a"', true); // true
 * matchesAny('W/"a", "b"', '"a"', false); // false
 */
export function matchesAny(list: string, etag: string, weak: boolean): boolean {
  if (list.trim() === '*') return true;
  for (const item of list.split(',')) {
    let tag = item.trim();
    if (tag.startsWith('W/')) {
      if (!weak) continue;
      tag = tag.slice(2);
    }
    if (tag === etag) return true;
  }
  return false;
}

/** The time of an HTTP date, or undefined when it is absent or not a date (then the header is ignored). */
export function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}
