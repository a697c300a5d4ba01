// Maps a line of a tsc-built file in dist/ back to its TypeScript source,
// so profile reports name src/dispatcher.ts:55 rather than dist/src/dispatcher.js:48.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface LineMap {
  source: string;
  /** Per generated line: [generated column, source line] pairs, in column order. */
  lines: Array<Array<[number, number]>>;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const cache = new Map<string, LineMap | null>();

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >> 1) : value >> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function load(file: string): LineMap | null {
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  let map: LineMap | null = null;
  const mapFile = `${file}.map`;
  if (existsSync(mapFile)) {
    const raw = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string };
    const lines: Array<Array<[number, number]>> = [];
    let sourceLine = 0;
    for (const line of raw.mappings.split(';')) {
      let column = 0;
      const pairs: Array<[number, number]> = [];
      for (const segment of line.split(',')) {
        if (segment === '') continue;
        const [dColumn = 0, , dLine = 0] = decodeVlq(segment);
        column += dColumn;
        sourceLine += dLine;
        pairs.push([column, sourceLine]);
      }
      lines.push(pairs);
    }
    map = { source: path.resolve(path.dirname(file), raw.sources[0] ?? ''), lines };
  }
  cache.set(file, map);
  return map;
}

/** `src/dispatcher.ts:55` for a frame in dist/src/dispatcher.js (0-based line and column); else the URL shortened. */
export function sourceLocation(url: string, line: number, column: number, root: string): string {
  // CPU profiles name files by URL, heap profiles by path.
  if (!url.startsWith('file://') && !path.isAbsolute(url)) return url === '' ? '(native)' : `${url}:${line + 1}`;
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const map = load(file);
  const pairs = map?.lines[line];
  if (map === null || map === undefined || pairs === undefined || pairs.length === 0) {
    return `${path.relative(root, file)}:${line + 1}`;
  }
  let sourceLine = (pairs[0] as [number, number])[1];
  for (const [generated, mapped] of pairs) {
    if (generated > column) break;
    sourceLine = mapped;
  }
  return `${path.relative(root, map.source)}:${sourceLine + 1}`;
}
