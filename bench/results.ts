// Writes a scenario's results to bench/results/<scenario>.json (committed: the README cites them).

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MachineInfo } from './machine';

/** bench/results in the source tree (this file runs from dist/bench). */
export const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'bench', 'results');

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

export function writeResult(result: ScenarioResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.scenario}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
