// Reads a .cpuprofile written by `node --cpu-prof` and says where the time
// went: self time per function and per category (httppool's src, find-my-way,
// node's http and net, GC …), and inclusive time of httppool's functions,
// within a time window (the measured load run, not startup or warm-up).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sourceLocation } from './source-map';

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

/** The repository root (this file runs from dist/bench). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

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
