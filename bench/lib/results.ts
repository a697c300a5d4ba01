// Where a scenario's results go. The raw JSON (every round, every setting)
// goes to bench/results/raw/<scenario>.json, which git ignores; the short
// Markdown summary built from it (bench/lib/summary.ts) goes to
// bench/results/<scenario>.md, which is committed.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MachineInfo } from './machine';

/** The repository root (this file runs from dist/bench/lib). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** bench/results in the source tree: the committed summaries. */
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

/** bench/results/raw: the raw JSON and the CPU profiles, not committed. */
export const RAW_DIR = path.join(RESULTS_DIR, 'raw');

export interface ScenarioResult {
  scenario: string;
  description: string;
  command: string;
  machine: MachineInfo;
  settings: Record<string, unknown>;
  /** The medians (and ratios) the table shows. */
  summary: unknown;
  /** Every round's measurements, for whoever wants to check the medians. */
  runs: unknown;
  /** Where httppool misses its goal or loses, in words. */
  findings: string[];
  /** The printed table(s), as Markdown. */
  tables: string[];
}

/** Writes bench/results/raw/<name>.json; returns its path. */
export function writeRawResult(name: string, result: object): string {
  mkdirSync(RAW_DIR, { recursive: true });
  const file = path.join(RAW_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** The command that ran the benchmark, as the user typed it (npm run … or node …). */
export function commandLine(npmScript: string, entry: string, args: readonly string[]): string {
  const tail = args.join(' ');
  if (process.env['npm_lifecycle_event'] === npmScript)
    return `npm run ${npmScript}${tail === '' ? '' : ` -- ${tail}`}`;
  return `node ${entry}${tail === '' ? '' : ` ${tail}`}`;
}
