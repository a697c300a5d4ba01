// The benchmark suite's entry: `npm run bench` runs every scenario;
// `npm run bench -- hello json` runs some; flags change rounds and durations
// (`--rounds 5 --duration 10 --connections 100 --warmup 2`).
//
// Each scenario prints its progress, its table (Markdown) and the goals of
// issue 7 it meets or misses, and writes bench/results/<scenario>.json.

import { describeMachine, machineNote } from './machine';
import { writeResult } from './results';
import type { Scenario } from './scenario';
import { observability } from './scenarios/observability';
import { overload } from './scenarios/overload';
import { pool } from './scenarios/pool';
import { profile } from './scenarios/profile';
import { queue } from './scenarios/queue';
import { startup } from './scenarios/startup';
import { staticFiles, staticLarger } from './scenarios/static';
import { hello, json } from './scenarios/throughput';
import { parseArgs } from './settings';

const SCENARIOS: readonly Scenario[] = [
  hello,
  json,
  observability,
  staticFiles,
  overload,
  queue,
  pool,
  startup,
  profile,
  staticLarger,
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const { scenarios: names, settings } = parseArgs(args);
  for (const name of names) {
    if (!SCENARIOS.some((s) => s.name === name)) {
      throw new TypeError(`Unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    }
  }
  const chosen =
    names.length === 0 ? SCENARIOS.filter((s) => s.onDemand !== true) : SCENARIOS.filter((s) => names.includes(s.name));
  const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  const machine = describeMachine();
  console.log(machineNote(machine));
  console.log(
    `Scenarios: ${chosen.map((s) => s.name).join(', ')}; ${settings.rounds} rounds, ${settings.durationSec} s per HTTP run, ` +
      `${settings.connections} connections (hello, json, observability, static), ${settings.warmupSec} s warm-up; servers in child processes on 127.0.0.1.\n`,
  );
  const started = performance.now();
  const findings: string[] = [];
  for (const scenario of chosen) {
    const began = performance.now();
    console.log(`=== ${scenario.name}: ${scenario.description}`);
    const output = await scenario.run({ settings, machine });
    const file = writeResult({
      scenario: scenario.name,
      description: scenario.description,
      command,
      machine,
      settings: { ...settings, ...output.settings },
      summary: output.summary,
      runs: output.runs,
      findings: output.findings,
      tables: output.tables,
    });
    console.log(`\n${output.tables.join('\n\n')}\n`);
    for (const line of output.findings) console.log(line);
    findings.push(...output.findings);
    console.log(`\n(${scenario.name}: ${((performance.now() - began) / 1000).toFixed(0)} s, written to ${file})\n`);
  }
  console.log(`=== Goals (issue 7)\n${findings.join('\n')}`);
  console.log(`\nAll done in ${((performance.now() - started) / 1000).toFixed(0)} s. ${machineNote(machine)}`);
}

main().catch((error: unknown) => {
  // A mistyped scenario or flag needs its message, not a stack.
  console.error(error instanceof TypeError || error instanceof RangeError ? error.message : error);
  process.exit(1);
});
