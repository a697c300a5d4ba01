// Reads a .cpuprofile written by `node --cpu-prof` and says where the time
// went: self time per function and per category (httppool's src, find-my-way,
// node's http and net, GC …), and inclusive time of httppool's functions,
// within a time window (the measured load run, not startup or warm-up).
// Frames in dist/*.js are named by their TypeScript source (src/…/x.ts:55)
// through the .map files tsc writes, read with node's own SourceMap.

import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload, type SourceMapping } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './results';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FrameCost {
  functionName: string;
  where: string;
  category: string;
  /** µs in the window. */
  us: number;
}

export interface ProfileAnalysis {
  windowUs: number;
  /** Sampled time that was not idle. */
  busyUs: number;
  byCategory: Array<{ category: string; us: number }>;
  topSelf: FrameCost[];
  /** httppool's own functions, with everything they call. */
  srcInclusive: FrameCost[];
}

export function category(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)' || functionName === '(root)') return 'V8 / native (program)';
    return 'native builtins';
  }
  if (url.includes('/dist/src/')) return 'httppool src';
  if (url.includes('/dist/controllers/') || url.includes('/dist/bench/')) return 'handler / bench code';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg !== null) return `node_modules: ${pkg[1]}`;
  if (/^node:(_http|http)/.test(url)) return 'node: http';
  if (/^node:(net|internal\/(stream_base_commons|streams|net))/.test(url)) return 'node: net + streams';
  if (/^node:(events|internal\/event_target)/.test(url)) return 'node: events';
  if (url.startsWith('node:')) return 'node: other';
  return 'other';
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** A stretch of the profile to count, in process.hrtime µs (the clock of --cpu-prof timestamps). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** Analyses the samples taken inside the windows; the whole profile if no window holds a sample. */
export function analyzeProfile(profile: CpuProfile, windows: readonly ProfileWindow[] = [], top = 25): ProfileAnalysis {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const times: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((t += delta));
  const inside = (time: number): boolean => windows.some((w) => time >= w.fromUs && time <= w.toUs);
  const counted: readonly ProfileWindow[] = times.some(inside)
    ? windows
    : [{ fromUs: profile.startTime, toUs: profile.endTime }];
  const counts = (time: number): boolean => counted.some((w) => time >= w.fromUs && time <= w.toUs);

  const keyOf = (node: ProfileNode): string =>
    `${node.callFrame.functionName}|${node.callFrame.url}|${node.callFrame.lineNumber}|${node.callFrame.columnNumber}`;
  const self = new Map<string, { node: ProfileNode; us: number }>();
  const inclusive = new Map<string, { node: ProfileNode; us: number }>();
  const categories = new Map<string, number>();
  let busyUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const time = times[i] as number;
    if (!counts(time)) continue;
    // A sample stands for the time until the next one.
    const weight = (times[i + 1] ?? time) - time || 0;
    const node = byId.get(profile.samples[i] as number);
    if (node === undefined) continue;
    const cat = category(node.callFrame.url, node.callFrame.functionName);
    if (cat === 'idle') continue;
    busyUs += weight;
    categories.set(cat, (categories.get(cat) ?? 0) + weight);
    const key = keyOf(node);
    const entry = self.get(key) ?? { node, us: 0 };
    entry.us += weight;
    self.set(key, entry);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id) as ProfileNode;
      if (!frame.callFrame.url.includes('/dist/src/')) continue;
      const frameKey = keyOf(frame);
      if (seen.has(frameKey)) continue;
      seen.add(frameKey);
      const total = inclusive.get(frameKey) ?? { node: frame, us: 0 };
      total.us += weight;
      inclusive.set(frameKey, total);
    }
  }
  const describe = ({ node, us }: { node: ProfileNode; us: number }): FrameCost => ({
    functionName: node.callFrame.functionName || '(anonymous)',
    where: sourceLocation(node.callFrame.url, node.callFrame.lineNumber, node.callFrame.columnNumber, REPO_ROOT),
    category: category(node.callFrame.url, node.callFrame.functionName),
    us,
  });
  const ranked = (map: Map<string, { node: ProfileNode; us: number }>): FrameCost[] =>
    [...map.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(describe);
  return {
    windowUs: counted.reduce((sum, w) => sum + (w.toUs - w.fromUs), 0),
    busyUs,
    byCategory: [...categories].map(([cat, us]) => ({ category: cat, us })).sort((a, b) => b.us - a.us),
    topSelf: ranked(self),
    srcInclusive: ranked(inclusive),
  };
}

// Not module.findSourceMap(path): it only knows files this process loaded,
// and only under --enable-source-maps, while the profiles come from the
// server children. So each dist file's .map is read once and handed to
// `new SourceMap(payload)`, which does the decoding.
interface MappedFile {
  map: SourceMap;
  /** Where the .map is: tsc writes its sources relative to it. */
  dir: string;
  /** The generated file's lines, for where each one's code starts. */
  lines: string[];
}

const sourceMaps = new Map<string, MappedFile | null>();

function sourceMapOf(file: string): MappedFile | null {
  let entry = sourceMaps.get(file);
  if (entry === undefined) {
    const mapFile = `${file}.map`;
    entry =
      existsSync(mapFile) && existsSync(file)
        ? {
            map: new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload),
            dir: path.dirname(mapFile),
            lines: readFileSync(file, 'utf8').split('\n'),
          }
        : null;
    sourceMaps.set(file, entry);
  }
  return entry;
}

/**
 * `src/http/dispatcher.ts:55` for a frame in dist/src/http/dispatcher.js
 * (0-based line and column, as profiles give them); a file without a source
 * map as its path from `root`; anything else (node:…, native) as given.
 */
export function sourceLocation(url: string, line: number, column: number, root: string = REPO_ROOT): string {
  // CPU profiles name files by URL, heap profiles by path.
  if (!url.startsWith('file://') && !path.isAbsolute(url)) return url === '' ? '(native)' : `${url}:${line + 1}`;
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const found = sourceMapOf(file);
  const entry = found === null ? undefined : mappingOn(found, line, column);
  if (found === null || entry === undefined) return `${path.relative(root, file)}:${line + 1}`;
  // tsc writes sources relative to the .map file.
  const source = entry.originalSource.startsWith('file://')
    ? fileURLToPath(entry.originalSource)
    : path.resolve(found.dir, entry.originalSource);
  return `${path.relative(root, source)}:${entry.originalLine + 1}`;
}

/**
 * The mapping at or before (line, column) on that generated line (positions
 * 0-based, as findEntry takes them). Before a line's first mapping (column 0
 * of an indented line), findEntry answers with the line above's last one:
 * then the mapping where the line's code starts is taken, or failing that its
 * last; a line with none has no source.
 */
function mappingOn(file: MappedFile, line: number, column: number): SourceMapping | undefined {
  const indent = /^\s*/.exec(file.lines[line] ?? '')?.[0].length ?? 0;
  for (const at of [column, indent, Number.MAX_SAFE_INTEGER]) {
    const entry = file.map.findEntry(line, at);
    if ('originalSource' in entry && entry.generatedLine === line) return entry;
  }
  return undefined;
}
