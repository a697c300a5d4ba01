// What a benchmark scenario is: a name, a sentence, and a run that returns
// what goes in its table and in bench/results/raw/<name>.json (and from there
// into bench/results/<name>.md).

import type { MachineInfo } from './machine';
import type { BenchSettings } from './settings';

export interface ScenarioContext {
  settings: BenchSettings;
  machine: MachineInfo;
}

export interface ScenarioOutput {
  /** Settings particular to this scenario (connections, depths, sizes). */
  settings: Record<string, unknown>;
  summary: unknown;
  runs: unknown;
  /** Markdown tables, each with a title line. */
  tables: string[];
  /** Each goal from issue 7 and whether it held; and where httppool loses. */
  findings: string[];
}

export interface Scenario {
  name: string;
  description: string;
  /** Left out of a plain `npm run bench` (diagnostics). */
  onDemand?: boolean;
  run(context: ScenarioContext): Promise<ScenarioOutput>;
}

/**
 * One goal line: `hello: httppool req/s ÷ node:http = 0.91× (goal ≥ 0.95×)`.
 * With `rounds` (the per-round ratios the value is the median of), their range
 * follows, so a verdict that rests on noise shows it.
 */
export function goal(
  what: string,
  value: number,
  op: '≥' | '≤',
  target: number,
  unit = '×',
  rounds?: readonly number[],
): string {
  const held = op === '≥' ? value >= target : value <= target;
  const shown = unit === '×' ? `${value.toFixed(2)}×` : `${value.toFixed(unit === '%' ? 0 : 2)}${unit}`;
  const wanted = unit === '×' ? `${target}×` : `${target}${unit}`;
  const spread =
    rounds === undefined || rounds.length < 2
      ? ''
      : `, rounds ${Math.min(...rounds).toFixed(2)}–${Math.max(...rounds).toFixed(2)}${unit}`;
  return `${Number.isFinite(value) ? (held ? 'MET   ' : 'MISSED') : 'n/a   '} ${what} = ${shown} (goal ${op} ${wanted}${spread})`;
}
