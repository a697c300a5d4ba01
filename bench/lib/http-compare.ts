// The HTTP comparison harness: every server in its own child process, all
// started up front, warmed up, then measured one at a time in rounds whose
// order rotates, so slow drift on a shared machine spreads over all of them.
// Each run brackets autocannon with the server's process.cpuUsage(), and the
// next run starts only once the last server has gone quiet.

import { runLoad, type LoadResult } from './load';
import { runPacedLoad } from './paced-load';
import { ServerProcess, type CpuSample, type ServerSpec } from './server-process';
import { median, ratio } from './stats';
import { num } from './table';

export interface Phase {
  name: string;
  route: string;
  connections: number;
  durationSec: number;
  /** Request headers besides Host (e.g. Accept-Encoding); none by default. */
  headers?: Record<string, string>;
  /**
   * Clients that wait out a 503's Retry-After (bench/lib/paced-load.ts)
   * instead of autocannon's instant retries.
   */
  honourRetryAfter?: boolean;
  /** autocannon only: requests in flight per connection (default 1). */
  pipelining?: number;
  /** autocannon only: seconds run before counting starts (see LoadOptions.settleSec). */
  settleSec?: number;
  /**
   * New requests per second offered across all connections (bench/lib/paced-load.ts,
   * which retries each 503 at once, or after its Retry-After with
   * honourRetryAfter); without it, autocannon's closed loop. A function is
   * called once, as the phase begins, with the runs of the phases before
   * it: a rate set from a capacity measured in this run.
   */
  overallRate?: number | ((earlier: readonly HttpRun[]) => number);
}

export interface HttpRun {
  phase: string;
  round: number;
  server: string;
  load: LoadResult;
  cpu: CpuSample;
  /** Server CPU (user + system) per response, in µs. */
  cpuUsPerResponse: number;
  /** Server CPU as a share of one core over the run. */
  serverCpu: number;
  /** The phase's offered rate (requests/s), when it had one. */
  offeredRate?: number;
}

export interface CompareOptions {
  scenario: string;
  servers: readonly ServerSpec[];
  phases: readonly Phase[];
  rounds: number;
  warmupSec: number;
  /** Extra node flags for the server children (e.g. --cpu-prof). */
  execArgv?: string[];
  /** Called once per server after all have started, before warm-up: throw if it answers wrong. */
  verify?: (server: ServerProcess) => Promise<void>;
  /** Called with each server's warm-up load (which is not measured), for scenarios that count every request. */
  onWarmup?: (server: string, load: LoadResult) => void;
}

const QUIET_SHARE = 0.05;
const QUIET_PROBE_MS = 200;
const QUIET_MAX_MS = 8_000;

export async function compareServers(options: CompareOptions): Promise<HttpRun[]> {
  const log = (line: string): void => console.log(`[${options.scenario}] ${line}`);
  const servers: ServerProcess[] = [];
  const runs: HttpRun[] = [];
  try {
    for (const spec of options.servers) {
      const server = await ServerProcess.start(spec, options.execArgv);
      servers.push(server);
      log(`${spec.name} listening on 127.0.0.1:${server.port}`);
    }
    for (const server of servers) await options.verify?.(server);
    const first = options.phases[0] as Phase;
    for (const server of servers) {
      const warmup = await runLoad({
        url: server.url(first.route),
        connections: first.connections,
        durationSec: options.warmupSec,
        headers: first.headers,
      });
      options.onWarmup?.(server.spec.name, warmup);
      await untilQuiet(server);
    }
    log(`warmed up (${options.warmupSec} s each)`);
    for (const phase of options.phases) {
      const rate = typeof phase.overallRate === 'function' ? phase.overallRate(runs) : phase.overallRate;
      if (rate !== undefined) log(`${phase.name}: offering ${num(rate)} requests/s`);
      for (let round = 0; round < options.rounds; round++) {
        for (const server of rotate(servers, round)) {
          const run = await measure(server, phase, round, rate);
          runs.push(run);
          log(
            `${phase.name} round ${round + 1}/${options.rounds} ${server.spec.name.padEnd(22)} ` +
              `${num(run.load.rps).padStart(7)} req/s (2xx ${num(run.load.okRps)}/s) ` +
              `p99 ${num(run.load.latency.p99, 2)} ms, server CPU ${num(run.cpuUsPerResponse, 1)} µs/req ` +
              `(${num(run.serverCpu * 100)} %), autocannon ${num(run.load.loadgenCpu * 100)} %` +
              (run.load.errors > 0 ? `, ${run.load.errors} errors` : ''),
          );
          await untilQuiet(server);
        }
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
  return runs;
}

async function measure(server: ServerProcess, phase: Phase, round: number, rate?: number): Promise<HttpRun> {
  await server.cpuStart();
  const options = {
    url: server.url(phase.route),
    connections: phase.connections,
    durationSec: phase.durationSec,
    headers: phase.headers,
    pipelining: phase.pipelining,
    settleSec: phase.settleSec,
    ...(rate === undefined ? {} : { overallRate: Math.round(rate) }),
  };
  const paced = phase.honourRetryAfter === true || rate !== undefined;
  const retry = phase.honourRetryAfter === true ? 'retry-after' : 'instant';
  const load = await (paced ? runPacedLoad({ ...options, retry }) : runLoad(options));
  const cpu = await server.cpuStop();
  const cpuUs = cpu.userUs + cpu.systemUs;
  return {
    phase: phase.name,
    round,
    server: server.spec.name,
    load,
    cpu,
    cpuUsPerResponse: load.responses > 0 ? cpuUs / load.responses : Number.NaN,
    serverCpu: cpuUs / 1000 / cpu.wallMs,
    ...(rate === undefined ? {} : { offeredRate: Math.round(rate) }),
  };
}

// Requests still in flight when autocannon stops (1,000 of them in the
// overload scenario) keep a server busy for a while: wait until it idles, so
// it does not steal the core from the next server's run.
async function untilQuiet(server: ServerProcess): Promise<void> {
  const deadline = performance.now() + QUIET_MAX_MS;
  while (performance.now() < deadline) {
    if ((await server.cpuShareOver(QUIET_PROBE_MS)) < QUIET_SHARE) return;
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** The medians of one server in one phase, and its ratios to the baseline from the same rounds. */
export interface ServerSummary {
  server: string;
  phase: string;
  rounds: number;
  rps: number;
  okRps: number;
  p50: number;
  p99: number;
  okP50: number;
  okP99: number;
  errorP50: number;
  errorP99: number;
  non2xxPerSec: number;
  errors: number;
  cpuUsPerResponse: number;
  serverCpu: number;
  loadgenCpu: number;
  /** Median over rounds of (this server ÷ baseline in the same round). */
  vsBaseline: { rps: number; okRps: number; p99: number; okP99: number; cpuUsPerResponse: number };
}

export function summarize(runs: readonly HttpRun[], baseline: string): ServerSummary[] {
  const summaries: ServerSummary[] = [];
  const phases = [...new Set(runs.map((run) => run.phase))];
  const names = [...new Set(runs.map((run) => run.server))];
  for (const phase of phases) {
    for (const server of names) {
      const mine = runs.filter((run) => run.phase === phase && run.server === server);
      if (mine.length === 0) continue;
      const base = (run: HttpRun): HttpRun | undefined =>
        runs.find((other) => other.phase === phase && other.server === baseline && other.round === run.round);
      const vs = (pick: (run: HttpRun) => number): number =>
        median(
          mine.map((run) => {
            const other = base(run);
            return other === undefined ? Number.NaN : ratio(pick(run), pick(other));
          }),
        );
      const m = (pick: (run: HttpRun) => number): number => median(mine.map(pick));
      summaries.push({
        server,
        phase,
        rounds: mine.length,
        rps: m((run) => run.load.rps),
        okRps: m((run) => run.load.okRps),
        p50: m((run) => run.load.latency.p50),
        p99: m((run) => run.load.latency.p99),
        okP50: m((run) => run.load.okLatency.p50),
        okP99: m((run) => run.load.okLatency.p99),
        errorP50: m((run) => run.load.errorLatency.p50),
        errorP99: m((run) => run.load.errorLatency.p99),
        non2xxPerSec: m((run) => run.load.non2xx / run.load.durationSec),
        errors: m((run) => run.load.errors),
        cpuUsPerResponse: m((run) => run.cpuUsPerResponse),
        serverCpu: m((run) => run.serverCpu),
        loadgenCpu: m((run) => run.load.loadgenCpu),
        vsBaseline: {
          rps: vs((run) => run.load.rps),
          okRps: vs((run) => run.load.okRps),
          p99: vs((run) => run.load.latency.p99),
          okP99: vs((run) => run.load.okLatency.p99),
          cpuUsPerResponse: vs((run) => run.cpuUsPerResponse),
        },
      });
    }
  }
  return summaries;
}

/** Median over rounds of (server a ÷ server b in the same round and phase); NaN if either is missing. */
export function pairRatio(
  runs: readonly HttpRun[],
  phase: string,
  a: string,
  b: string,
  pick: (run: HttpRun) => number,
): number {
  return median(pairRatios(runs, phase, a, b, pick));
}

/** Server a ÷ server b, one ratio per round in which both ran: the spread behind `pairRatio`. */
export function pairRatios(
  runs: readonly HttpRun[],
  phase: string,
  a: string,
  b: string,
  pick: (run: HttpRun) => number,
): number[] {
  const ratios: number[] = [];
  for (const run of runs) {
    if (run.phase !== phase || run.server !== a) continue;
    const other = runs.find(
      (candidate) => candidate.phase === phase && candidate.server === b && candidate.round === run.round,
    );
    if (other !== undefined) ratios.push(ratio(pick(run), pick(other)));
  }
  return ratios;
}
