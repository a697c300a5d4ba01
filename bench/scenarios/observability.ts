// observability: what logs and metrics cost on the hello route (issue 5,
// point 3). httppool runs twice in the same rounds: plain (logger: false, no
// metrics, the bench's usual httppool) and observed (an info-level pino
// logger writing one access line per request to a file in a temp folder, plus
// metrics: true); node:http is the usual baseline.
//
// So that the observed server cannot look cheap by not logging, its log file
// is read once it has closed (and flushed): it must hold one `GET /test` 200
// access line for every 2xx autocannon counted against it (warm-up, runs and
// the check before them). It may hold a few more: requests still in flight
// when a run stops are answered and logged but not counted by autocannon.

import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { forkChild } from '../fork-child';
import { compareServers, pairRatio, summarize, type HttpRun, type Phase } from '../http-compare';
import { httpGet } from '../http-get';
import type { ServerProcess, ServerSpec } from '../server-process';
import { goal, type Scenario, type ScenarioContext, type ScenarioOutput } from '../scenario';
import { SAMPLE_PAGE } from '../servers/work';
import { median } from '../stats';
import { markdownTable, num, times } from '../table';
import { BASELINE, SERVERS } from './throughput';

const ROUTE = '/test';
const PLAIN: ServerSpec = { name: 'httppool, plain', script: 'httppool' };
const OBSERVED_NAME = 'httppool, access log + metrics';
/** Issue 5: with access logs to a file and metrics on, hello keeps this share of its throughput. */
const KEEPS = 0.85;

/** What the log file held once the observed server had closed. */
export interface LogCheck {
  file: string;
  bytes: number;
  /** Access lines for GET /test answered 200. */
  okLines: number;
  /** Other lines (the "listening" line, anything else). */
  otherLines: number;
  /** 2xx that autocannon (and the check before warm-up) saw from the observed server. */
  okCounted: number;
  /** Requests in flight when a load run stopped: answered and logged, not counted by autocannon. */
  inFlightAllowance: number;
  held: boolean;
}

export const observability: Scenario = {
  name: 'observability',
  description: 'GET /test through the pool, httppool plain and with info access logs to a file + metrics',
  async run({ settings }: ScenarioContext): Promise<ScenarioOutput> {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'httppool-bench-log-'));
    const logFile = path.join(folder, 'access.log');
    const observed: ServerSpec = { name: OBSERVED_NAME, script: 'httppool-observed', config: { logFile } };
    const servers = [SERVERS.RAW, PLAIN, observed];
    const phase: Phase = {
      name: 'observability',
      route: ROUTE,
      connections: settings.connections,
      durationSec: settings.durationSec,
    };
    let okCounted = 0;
    let loads = 0;
    try {
      const runs = await compareServers({
        scenario: 'observability',
        servers,
        phases: [phase],
        rounds: settings.rounds,
        warmupSec: settings.warmupSec,
        verify: async (server) => {
          await verify(server, server.spec.name === OBSERVED_NAME);
          if (server.spec.name === OBSERVED_NAME) okCounted += 1;
        },
        onWarmup: (server, load) => {
          if (server !== OBSERVED_NAME) return;
          okCounted += load.ok;
          loads += 1;
        },
      });
      for (const run of runs) {
        if (run.server !== OBSERVED_NAME) continue;
        okCounted += run.load.ok;
        loads += 1;
      }
      const log = await checkLog(logFile, okCounted, loads * phase.connections);
      const destinations = await timeDestinations(folder, settings.rounds);
      const summaries = summarize(runs, BASELINE);
      const rps = (run: HttpRun): number => run.load.rps;
      const cpu = (run: HttpRun): number => run.cpuUsPerResponse;
      const vsPlain = (name: string, pick: (run: HttpRun) => number): number =>
        name === BASELINE ? Number.NaN : pairRatio(runs, phase.name, name, PLAIN.name, pick);
      const keeps = pairRatio(runs, phase.name, OBSERVED_NAME, PLAIN.name, rps);
      // On 2 cores autocannon can saturate its core before the server does, so
      // req/s may hide a cost; CPU per request does not. A server held to one
      // core serves 1 / (CPU per request): this is the req/s it would keep.
      const keepsCpuBound = pairRatio(runs, phase.name, PLAIN.name, OBSERVED_NAME, cpu);
      const medianOf = (server: string, pick: (run: HttpRun) => number): number =>
        median(runs.filter((run) => run.server === server).map(pick));
      const addedUs = medianOf(OBSERVED_NAME, cpu) - medianOf(PLAIN.name, cpu);
      const title =
        `observability: GET ${ROUTE}, ${phase.connections} connections, ${phase.durationSec} s per run, ` +
        `${settings.rounds} rounds, medians; ratios are medians of per-round ratios. plain: logger: false, no metrics. ` +
        `access log + metrics: pino at info, one access line per request to a file through httppool's ` +
        `LogFile, and metrics: true`;
      const table = markdownTable(
        [
          'server',
          'req/s',
          '× node:http',
          '× plain',
          'p99 ms',
          'server CPU µs/req',
          'CPU × node:http',
          'CPU × plain',
          'server CPU',
          'autocannon CPU',
          'non-2xx/s',
        ],
        summaries.map((s) => [
          s.server,
          num(s.rps),
          times(s.vsBaseline.rps),
          times(vsPlain(s.server, rps)),
          num(s.p99, 2),
          num(s.cpuUsPerResponse, 1),
          times(s.vsBaseline.cpuUsPerResponse),
          times(vsPlain(s.server, cpu)),
          `${num(s.serverCpu * 100)} %`,
          `${num(s.loadgenCpu * 100)} %`,
          num(s.non2xxPerSec),
        ]),
      );
      const logTable = markdownTable(
        ['access log', 'GET /test 200 lines', '2xx counted by autocannon', 'difference', 'allowed', 'bytes'],
        [
          [
            log.held ? 'one line per request' : 'LINES MISSING',
            num(log.okLines),
            num(log.okCounted),
            `${log.okLines - log.okCounted >= 0 ? '+' : ''}${num(log.okLines - log.okCounted)}`,
            `0 … +${num(log.inFlightAllowance)}`,
            num(log.bytes),
          ],
        ],
      );
      return {
        settings: { route: ROUTE, connections: phase.connections, durationSec: phase.durationSec, servers },
        summary: { servers: summaries, keeps, keepsCpuBound, addedCpuUsPerRequest: addedUs, log, destinations },
        runs,
        tables: [
          `${title}\n\n${table}`,
          `observability: the observed server's log file, read after it closed and flushed\n\n${logTable}`,
          destinationTable(destinations),
        ],
        findings: [
          goal('observability: access log + metrics req/s ÷ plain (issue 5)', keeps, '≥', KEEPS),
          goal(
            'observability: plain CPU/req ÷ access log + metrics (req/s kept when CPU-bound)',
            keepsCpuBound,
            '≥',
            KEEPS,
          ),
          `info   observability: logs + metrics add ${num(addedUs, 1)} µs of server CPU per request`,
          `${log.held ? 'MET   ' : 'MISSED'} observability: ${num(log.okLines)} access lines for ` +
            `${num(log.okCounted)} 2xx counted (allowed 0 … +${num(log.inFlightAllowance)})`,
          ...destinations.map(
            (d) =>
              `${d.complete ? 'info  ' : 'MISSED'} observability: ${d.destination} costs ` +
              `${num(d.addedUsPerLine, 2)} µs of CPU per access line above pino's serializing` +
              (d.complete ? '' : ` (LOST LINES: ${num(d.written)} of ${num(d.expected)})`),
          ),
        ],
      };
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
};

/** One log destination's cost per access line, from bench/children/log-destination.ts. */
export interface DestinationCost {
  destination: string;
  cpuUsPerLine: number;
  /** Above pino writing to a destination that does nothing. */
  addedUsPerLine: number;
  written: number;
  expected: number;
  complete: boolean;
}

const DESTINATIONS = ['none', 'log-file', 'sonic-boom', 'write-stream'] as const;
const DESTINATION_LINES = 100_000;

/** Each destination in its own process, `rounds` times in rotating order; medians. */
async function timeDestinations(folder: string, rounds: number): Promise<DestinationCost[]> {
  const samples = new Map<string, Array<{ cpuUsPerLine: number; written: number; expected: number }>>();
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < DESTINATIONS.length; i++) {
      const destination = DESTINATIONS[(round + i) % DESTINATIONS.length] as string;
      const file = path.join(folder, `${destination}-${round}.log`);
      console.log(`observability: log destination ${destination}, round ${round + 1}/${rounds}`);
      const result = await forkChild<{ cpuUsPerLine: number; written: number; expected: number }>('log-destination', [
        destination,
        file,
        String(DESTINATION_LINES),
      ]);
      rmSync(file, { force: true });
      samples.set(destination, [...(samples.get(destination) ?? []), result]);
    }
  }
  const cpu = (destination: string): number =>
    median((samples.get(destination) ?? []).map((sample) => sample.cpuUsPerLine));
  const alone = cpu('none');
  return DESTINATIONS.filter((d) => d !== 'none').map((destination) => {
    const runs = samples.get(destination) ?? [];
    const written = Math.min(...runs.map((run) => run.written));
    const expected = runs[0]?.expected ?? 0;
    return {
      destination,
      cpuUsPerLine: cpu(destination),
      addedUsPerLine: cpu(destination) - alone,
      written,
      expected,
      complete: written === expected,
    };
  });
}

function destinationTable(costs: DestinationCost[]): string {
  const title =
    `observability: what writing one access line costs, by pino destination (${num(DESTINATION_LINES)} lines ` +
    `per run, 50 per event-loop turn, process CPU incl. libuv's threads; medians)`;
  const names: Record<string, string> = {
    'log-file': "httppool's LogFile",
    'sonic-boom': 'pino.destination({ sync: false, minLength: 4096 })',
    'write-stream': "fs.createWriteStream(file, { flags: 'a' })",
  };
  const table = markdownTable(
    ['destination', 'CPU µs/line', 'above pino alone', 'lines in the file'],
    costs.map((c) => [
      names[c.destination] ?? c.destination,
      num(c.cpuUsPerLine, 2),
      num(c.addedUsPerLine, 2),
      `${num(c.written)} of ${num(c.expected)}`,
    ]),
  );
  return `${title}\n\n${table}`;
}

async function verify(server: ServerProcess, observed: boolean): Promise<void> {
  const page = await httpGet(server.url(ROUTE));
  if (page.status !== 200 || page.body.toString() !== SAMPLE_PAGE) {
    throw new Error(`${server.spec.name}: GET ${ROUTE} answered ${page.status}, not the sample page`);
  }
  if (!observed) return;
  const metrics = await httpGet(server.url('/metrics'));
  if (metrics.status !== 200 || !metrics.body.toString().includes('httppool_requests_total{')) {
    throw new Error(`${server.spec.name}: GET /metrics answered ${metrics.status} without httppool_requests_total`);
  }
}

async function checkLog(file: string, okCounted: number, inFlightAllowance: number): Promise<LogCheck> {
  let okLines = 0;
  let otherLines = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    let entry: { msg?: string; method?: string; url?: string; status?: number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      otherLines++; // a line cut short: the server did not get to flush
      continue;
    }
    if (entry.msg === 'request' && entry.method === 'GET' && entry.url === ROUTE && entry.status === 200) {
      okLines++;
    } else {
      otherLines++;
    }
  }
  // The server flushed its LogFile before it exited: every counted 2xx has its line.
  const held = okLines >= okCounted && okLines <= okCounted + inFlightAllowance;
  return {
    file,
    bytes: statSync(file).size,
    okLines,
    otherLines,
    okCounted,
    inFlightAllowance,
    held,
  };
}
