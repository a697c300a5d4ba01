// The benchmark suite's entry: `npm run bench` runs every scenario;
// `npm run bench -- hello json` runs some; flags change rounds and durations
// (`--rounds 5 --duration 10 --connections 100 --warmup 2`).
//
// Each scenario prints its progress, its table (Markdown) and the goals of
// issue 7 it meets or misses, writes its raw results to
// bench/results/raw/<scenario>.json (not committed) and its short summary to
// bench/results/<scenario>.md (committed; bench/lib/summary.ts).
//
// `node dist/bench/run.js --summarize [scenario…]` runs no load: it rebuilds
// the summaries from the raw JSON already there (the soak's too).

import path from 'node:path';
import { describeMachine, machineNote } from './lib/machine';
import { commandLine, writeRawResult, type ScenarioResult } from './lib/results';
import type { Scenario } from './lib/scenario';
import { parseArgs } from './lib/settings';
import { summarizeRaw, writeSummary } from './lib/summary';
import { observability } from './scenarios/observability';
import { overload } from './scenarios/overload';
import { pool } from './scenarios/pool';
import { profile } from './scenarios/profile';
import { queue } from './scenarios/queue';
import { startup } from './scenarios/startup';
import { staticFiles, staticLarger } from './scenarios/static';
import { cpu } from './scenarios/cpu';
import { hello, json } from './scenarios/throughput';

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
  cpu,
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const { scenarios: names, settings, summarize } = parseArgs(args);
  if (summarize) {
    for (const file of summarizeRaw(names)) console.log(`written ${path.relative(process.cwd(), file)}`);
    return;
  }
  for (const name of names) {
    if (!SCENARIOS.some((s) => s.name === name)) {
      throw new TypeError(`Unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    }
  }
  const chosen =
    names.length === 0 ? SCENARIOS.filter((s) => s.onDemand !== true) : SCENARIOS.filter((s) => names.includes(s.name));
  const command = commandLine('bench', 'dist/bench/run.js', args);
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
    const result: ScenarioResult = {
      scenario: scenario.name,
      description: scenario.description,
      command,
      machine,
      settings: { ...settings, ...output.settings },
      summary: output.summary,
      runs: output.runs,
      findings: output.findings,
      tables: output.tables,
    };
    const raw = writeRawResult(scenario.name, result);
    const summary = writeSummary(result);
    console.log(`\n${output.tables.join('\n\n')}\n`);
    for (const line of output.findings) console.log(line);
    findings.push(...output.findings);
    console.log(
      `\n(${scenario.name}: ${((performance.now() - began) / 1000).toFixed(0)} s, written to ` +
        `${path.relative(process.cwd(), raw)} and ${path.relative(process.cwd(), summary)})\n`,
    );
  }
  console.log(`=== Goals (issue 7)\n${findings.join('\n')}`);
  console.log(`\nAll done in ${((performance.now() - started) / 1000).toFixed(0)} s. ${machineNote(machine)}`);
}

main().catch((error: unknown) => {
  // A mistyped scenario or flag needs its message, not a stack.
  console.error(error instanceof TypeError || error instanceof RangeError ? error.message : error);
  process.exit(1);
});
