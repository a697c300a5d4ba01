// hello and json: one route, fixed connections, every server in the same run.

import {
  compareServers,
  pairRatio,
  pairRatios,
  summarize,
  type HttpRun,
  type ServerSummary,
} from '../lib/http-compare';
import { median } from '../lib/stats';
import type { ServerSpec } from '../lib/server-process';
import { goal, type Scenario, type ScenarioContext, type ScenarioOutput } from '../lib/scenario';
import { markdownTable, num, times } from '../lib/table';

export const BASELINE = 'node:http';

const RAW: ServerSpec = { name: BASELINE, script: 'raw' };
const RAW_POOL: ServerSpec = { name: 'node:http + WorkerPool', script: 'raw-pool' };
const HTTPPOOL: ServerSpec = { name: 'httppool', script: 'httppool' };
const FASTIFY: ServerSpec = { name: 'fastify', script: 'fastify' };
const EXPRESS: ServerSpec = { name: 'express', script: 'express' };
const NEST: ServerSpec = { name: 'NestJS (fastify)', script: 'nest' };

export function throughputTable(title: string, summaries: readonly ServerSummary[]): string {
  return `${title}\n\n${markdownTable(
    [
      'server',
      'req/s',
      '× node:http',
      'p50 ms',
      'p99 ms',
      'server CPU µs/req',
      'CPU × node:http',
      'server CPU',
      'autocannon CPU',
      'non-2xx/s',
    ],
    summaries.map((s) => [
      s.server,
      num(s.rps),
      times(s.vsBaseline.rps),
      num(s.p50, 2),
      num(s.p99, 2),
      num(s.cpuUsPerResponse, 1),
      times(s.vsBaseline.cpuUsPerResponse),
      `${num(s.serverCpu * 100)} %`,
      `${num(s.loadgenCpu * 100)} %`,
      num(s.non2xxPerSec),
    ]),
  )}`;
}

function throughputScenario(
  name: string,
  description: string,
  route: string,
  servers: ServerSpec[],
  goals: (runs: HttpRun[], summaries: ServerSummary[]) => string[],
): Scenario {
  return {
    name,
    description,
    async run({ settings }: ScenarioContext): Promise<ScenarioOutput> {
      const phase = { name, route, connections: settings.connections, durationSec: settings.durationSec };
      const runs = await compareServers({
        scenario: name,
        servers,
        phases: [phase],
        rounds: settings.rounds,
        warmupSec: settings.warmupSec,
      });
      const summaries = summarize(runs, BASELINE);
      const title =
        `${name}: GET ${route}, ${phase.connections} connections, ${phase.durationSec} s per run, ` +
        `${settings.rounds} rounds, medians; ratios are medians of per-round ratios to node:http`;
      return {
        settings: { route, connections: phase.connections, durationSec: phase.durationSec, servers },
        summary: summaries,
        runs,
        tables: [throughputTable(title, summaries)],
        findings: goals(runs, summaries),
      };
    },
  };
}

const rps = (run: HttpRun): number => run.load.rps;

/** A goal on httppool ÷ `other`: the median of the per-round ratios, with their range. */
function pairGoal(
  runs: readonly HttpRun[],
  phase: string,
  other: string,
  what: string,
  pick: (run: HttpRun) => number,
  op: '≥' | '≤',
  target: number,
): string {
  const ratios = pairRatios(runs, phase, HTTPPOOL.name, other, pick);
  return goal(`${phase}: httppool ${what} ÷ ${other}`, median(ratios), op, target, '×', ratios);
}
const p99 = (run: HttpRun): number => run.load.latency.p99;
const cpu = (run: HttpRun): number => run.cpuUsPerResponse;

export const hello = throughputScenario(
  'hello',
  'GET /test, the sample page, through the pool',
  '/test',
  [RAW, RAW_POOL, HTTPPOOL, FASTIFY, EXPRESS, NEST],
  (runs) => [
    pairGoal(runs, 'hello', BASELINE, 'req/s', rps, '≥', 0.95),
    pairGoal(runs, 'hello', FASTIFY.name, 'req/s', rps, '≥', 1.0),
    pairGoal(runs, 'hello', FASTIFY.name, 'p99', p99, '≤', 1.0),
    pairGoal(runs, 'hello', BASELINE, 'CPU/req', cpu, '≤', 1.1),
    pairGoal(runs, 'hello', FASTIFY.name, 'CPU/req', cpu, '≤', 1.0),
    `info   hello: node:http + WorkerPool CPU/req ÷ node:http (what the pool alone costs) = ` +
      times(pairRatio(runs, 'hello', RAW_POOL.name, BASELINE, cpu)),
  ],
);

export const json = throughputScenario(
  'json',
  'GET /api/users/:id returning an object',
  '/api/users/1',
  // NestJS is in hello; here it would add 15 s to a suite that must stay under 10 minutes.
  [RAW, HTTPPOOL, FASTIFY, EXPRESS],
  (runs) => [
    pairGoal(runs, 'json', FASTIFY.name, 'req/s', rps, '≥', 0.9),
    pairGoal(runs, 'json', FASTIFY.name, 'CPU/req', cpu, '≤', 1.0),
    pairGoal(runs, 'json', BASELINE, 'req/s', rps, '≥', 0.95),
    pairGoal(runs, 'json', BASELINE, 'CPU/req', cpu, '≤', 1.1),
  ],
);

export const SERVERS = { RAW, HTTPPOOL, FASTIFY, EXPRESS, NEST };
