// Range requests (RFC 9110 §14): one `bytes` range served as 206, and so are
// several that overlap or touch, combined into one (as send does); a set with
// no satisfiable range answered 416; anything else served whole.

import { httpDate } from './preconditions';

/** Bytes `start` to `end`, both included, as in Content-Range. */
export interface ByteRange {
  start: number;
  end: number;
}

/** No range in the header overlaps the file: answer 416. */
export const UNSATISFIABLE = Symbol('httppool.static.unsatisfiable');

const RANGE_SPEC = /^(\d*)-(\d*)$/;

/**
 * Parses a `Range` header against a file of `size` bytes. Returns the one
 * satisfiable range (several that overlap or touch, combined),
 * `UNSATISFIABLE` when none is, or `undefined` when the header is to be
 * ignored and the whole file sent: a unit other than bytes, bad syntax (which
 * RFC 9110 says to ignore), or ranges with gaps between them (we send no
 * multipart/byteranges; the RFC lets a server ignore Range).
 *
 * @example
 * parseRange('bytes=0-99', 1000); // { start: 0, end: 99 }
 * parseRange('bytes=0-49,50-99', 1000); // { start: 0, end: 99 }
 * parseRange('bytes=0-9,500-509', 1000); // undefined: the whole file
 * parseRange('bytes=-100', 1000); // { start: 900, end: 999 }
 * parseRange('bytes=5000-', 1000); // UNSATISFIABLE
 * parseRange('items=0-1', 1000); // undefined
 */
export function parseRange(header: string, size: number): ByteRange | typeof UNSATISFIABLE | undefined {
  const equals = header.indexOf('=');
  if (equals < 0 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return undefined;
  const found: ByteRange[] = [];
  let specs = 0;
  for (const item of header.slice(equals + 1).split(',')) {
    const spec = item.trim();
    if (spec === '') continue;
    const match = RANGE_SPEC.exec(spec);
    if (match === null) return undefined;
    const [, first = '', last = ''] = match;
    if (first === '' && last === '') return undefined;
    specs++;
    let start: number;
    let end: number;
    if (first === '') {
      // `-N`: the last N bytes.
      const suffix = Number(last);
      if (suffix === 0 || size === 0) continue;
      start = Math.max(0, size - suffix);
      end = size - 1;
    } else {
      start = Number(first);
      if (last !== '' && Number(last) < start) return undefined;
      if (start >= size) continue;
      end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    }
    found.push({ start, end });
  }
  if (specs === 0) return undefined;
  if (found.length === 0) return UNSATISFIABLE;
  return combined(found);
}

/** The ranges as one, when together they cover one stretch without a gap; else undefined. */
function combined(ranges: ByteRange[]): ByteRange | undefined {
  ranges.sort((a, b) => a.start - b.start);
  const first = ranges[0] as ByteRange;
  let { start, end } = first;
  for (const range of ranges) {
    if (range.start > end + 1) return undefined; // a gap: would need multipart/byteranges
    if (range.start < start) start = range.start;
    if (range.end > end) end = range.end;
  }
  return { start, end };
}

/**
 * True when `If-Range` lets the Range apply: absent, the current strong ETag,
 * or exactly the current Last-Modified date. Otherwise the file changed
 * since the client's partial copy, and it gets the whole file.
 *
 * @example
 * ifRangeHolds('"1a-18f"', '"1a-18f"', lastModifiedMs); // true
 * ifRangeHolds('W/"1a-18f"', '"1a-18f"', lastModifiedMs); // false: weak tags never match
 */
export function ifRangeHolds(ifRange: string | undefined, etag: string, lastModifiedMs: number): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"')) return value === etag;
  if (value.startsWith('W/')) return false;
  return httpDate(value) === lastModifiedMs;
}
