// overload: a handler with a real bottleneck (1 ms of CPU, then a 10 ms wait),
// first unloaded and at capacity, then at 1,000 connections.
//
// Sizing httppool to the bottleneck (Little's law): 1 ms of CPU (plus ~0.1 ms
// of HTTP) per request lets one core finish at most ~900 requests/s, and each
// request holds its worker ~11 ms, so ~10 workers keep the core busy; 12
// leave slack for jitter. Past that, a worker more only makes every job run
// longer. A queue of 8 lets a burst wait at most ~9 ms more (8 requests at
// ~900/s), so an admitted request's latency stays within a few times the
// unloaded one; every request past that is shed with a 503 at once. Probed
// at 4× capacity (2xx p99 ÷ unloaded): 16 workers and a queue of 32, 4.3–4.8×;
// 16 and 8, 2.8–2.9×; 12 and 8, 1.9–2.9×; 12 and 4 no better, with less
// goodput at capacity. The other servers have no bound: they accept all
// 1,000 connections' requests. httppool with `workers: 'auto'` finds its size
// itself, in front of the same queue.
//
// After the capacity runs, offered rates: 1×, 2× and 4× the capacity just
// measured, at 1,000 connections, from clients that retry a 503 at once and
// from clients that wait out its Retry-After (bench/lib/paced-load.ts).
//
// Latencies at 1,000 connections are counted from 2 s after the load starts:
// opening that many connections (and the kernel's SYN retries while it does)
// is not the server's latency. A last phase pipelines 16 requests on each of
// 100 connections to a 5 ms wait: 1,600 in flight, which a pool sized for the
// CPU-bound route sheds, and which the machine can serve.

import { compareServers, summarize, type HttpRun, type Phase, type ServerSummary } from '../lib/http-compare';
import { goal, type Scenario, type ScenarioContext, type ScenarioOutput } from '../lib/scenario';
import { BRIEF_WAIT_MS, WORK_CPU_MS, WORK_WAIT_MS } from '../servers/work';
import { median } from '../lib/stats';
import { markdownTable, num } from '../lib/table';
import { BASELINE, SERVERS } from './throughput';

export const OVERLOAD_WORKERS = 12;
export const OVERLOAD_QUEUE = 8;
/** httppool's listen backlog here: 1,000 clients connect at once (Linux caps it at net.core.somaxconn). */
const BACKLOG = 4096;

const UNLOADED_CONNECTIONS = 4;
const CAPACITY_CONNECTIONS = 32;
const OVERLOAD_CONNECTIONS = 1000;
const SETTLE_SEC = 2;
const PIPELINED_CONNECTIONS = 100;
const PIPELINING = 16;

const FASTIFY_PRESSURE = { name: 'fastify + under-pressure', script: 'fastify-pressure' };
/** Offered rates, as multiples of the capacity measured earlier in the same run. */
const RATE_MULTIPLES = [1, 2, 4] as const;
const rateName = (multiple: number, polite: boolean): string =>
  `${multiple}× capacity${polite ? ', Retry-After honoured' : ', instant retry'}`;
// The handler's capacity on this machine: the median 2xx/s of every server's capacity runs.
const capacityOf = (earlier: readonly HttpRun[]): number =>
  median(earlier.filter((run) => run.phase === 'capacity').map((run) => run.load.okRps));

export const overload: Scenario = {
  name: 'overload',
  description: `GET /work: ${WORK_CPU_MS} ms of CPU then a ${WORK_WAIT_MS} ms wait; capacity, then ${OVERLOAD_CONNECTIONS} connections; then pipelined`,
  async run({ settings }: ScenarioContext): Promise<ScenarioOutput> {
    // Short runs for all but the closed-loop flood: with the offered rates, 3 rounds take about 12 minutes.
    const short = Math.min(settings.durationSec, 2);
    const phases: Phase[] = [
      { name: 'unloaded', route: '/work', connections: UNLOADED_CONNECTIONS, durationSec: short },
      { name: 'capacity', route: '/work', connections: CAPACITY_CONNECTIONS, durationSec: short },
      // Offered rates (bench/lib/paced-load.ts): new requests at k × capacity, each 503 retried at once or after its Retry-After.
      ...RATE_MULTIPLES.flatMap((multiple) =>
        [false, true].map((polite) => ({
          name: rateName(multiple, polite),
          route: '/work',
          connections: OVERLOAD_CONNECTIONS,
          durationSec: short,
          settleSec: SETTLE_SEC,
          honourRetryAfter: polite,
          overallRate: (earlier: readonly HttpRun[]) => multiple * capacityOf(earlier),
        })),
      ),
      {
        name: 'overload',
        route: '/work',
        connections: OVERLOAD_CONNECTIONS,
        durationSec: settings.durationSec,
        settleSec: SETTLE_SEC,
      },
      // The same 1,000 connections, but each waits out a 503's Retry-After (counted after a 1 s ramp).
      {
        name: 'overload, Retry-After honoured',
        route: '/work',
        connections: OVERLOAD_CONNECTIONS,
        durationSec: short,
        honourRetryAfter: true,
      },
      {
        name: 'pipelined',
        route: '/brief',
        connections: PIPELINED_CONNECTIONS,
        pipelining: PIPELINING,
        durationSec: short,
        settleSec: SETTLE_SEC,
      },
    ];
    const httppool = {
      ...SERVERS.HTTPPOOL,
      name: `httppool (${OVERLOAD_WORKERS} workers, queue ${OVERLOAD_QUEUE})`,
      config: { workers: OVERLOAD_WORKERS, queueSize: OVERLOAD_QUEUE, backlog: BACKLOG },
    };
    const adaptive = {
      ...SERVERS.HTTPPOOL,
      name: `httppool (workers: 'auto', queue ${OVERLOAD_QUEUE})`,
      config: { workers: 'auto' as const, queueSize: OVERLOAD_QUEUE, backlog: BACKLOG },
    };
    // NestJS and express queue like fastify and are left out: the whole suite must stay under 10 minutes.
    const servers = [SERVERS.RAW, httppool, adaptive, SERVERS.FASTIFY, FASTIFY_PRESSURE];
    const runs = await compareServers({
      scenario: 'overload',
      servers,
      phases,
      rounds: settings.rounds,
      warmupSec: settings.warmupSec,
    });
    const summaries = summarize(runs, BASELINE);
    const find = (server: string, phase: string): ServerSummary | undefined =>
      summaries.find((s) => s.server === server && s.phase === phase);

    // One server in one phase: its medians, goodput ÷ its capacity run, 2xx p99 ÷ its unloaded p99.
    const versus = (name: string, phase: string): { at?: ServerSummary; share: number; growth: number } => {
      const at = find(name, phase);
      return {
        at,
        share: (at?.okRps ?? Number.NaN) / (find(name, 'capacity')?.okRps ?? Number.NaN),
        growth: (at?.okP99 ?? Number.NaN) / (find(name, 'unloaded')?.okP99 ?? Number.NaN),
      };
    };
    const rawPipelined = find(SERVERS.RAW.name, 'pipelined');
    const rows = servers.map(({ name }) => {
      const { at: loaded, share, growth } = versus(name, 'overload');
      const { at: polite, share: politeShare, growth: politeGrowth } = versus(name, 'overload, Retry-After honoured');
      const pipelined = find(name, 'pipelined');
      const pipelinedShare = (pipelined?.okRps ?? Number.NaN) / (rawPipelined?.okRps ?? Number.NaN);
      return {
        name,
        unloaded: find(name, 'unloaded'),
        capacity: find(name, 'capacity'),
        loaded,
        share,
        growth,
        polite,
        politeShare,
        politeGrowth,
        pipelined,
        pipelinedShare,
      };
    });
    const table = markdownTable(
      [
        'server',
        `unloaded p99 ms (c=${UNLOADED_CONNECTIONS})`,
        `capacity 2xx/s (c=${CAPACITY_CONNECTIONS})`,
        `2xx/s at c=${OVERLOAD_CONNECTIONS}`,
        '% of capacity',
        '2xx p50 ms',
        '2xx p99 ms',
        '2xx p99 ÷ unloaded',
        '503/s',
        '503 p50 ms',
        '503 p99 ms',
        'CPU µs/resp',
        'errors',
      ],
      rows.map((row) => [
        row.name,
        num(row.unloaded?.okP99 ?? Number.NaN, 1),
        num(row.capacity?.okRps ?? Number.NaN),
        num(row.loaded?.okRps ?? Number.NaN),
        `${num(row.share * 100)} %`,
        num(row.loaded?.okP50 ?? Number.NaN, 1),
        num(row.loaded?.okP99 ?? Number.NaN, 1),
        `${num(row.growth, 1)}×`,
        num(row.loaded?.non2xxPerSec ?? Number.NaN),
        num(row.loaded?.errorP50 ?? Number.NaN, 2),
        num(row.loaded?.errorP99 ?? Number.NaN, 2),
        num(row.loaded?.cpuUsPerResponse ?? Number.NaN, 1),
        num(row.loaded?.errors ?? Number.NaN),
      ]),
    );
    const title =
      `overload: GET /work (${WORK_CPU_MS} ms CPU + ${WORK_WAIT_MS} ms wait), ` +
      `${short} s runs at c=${UNLOADED_CONNECTIONS} and c=${CAPACITY_CONNECTIONS}, ` +
      `${settings.durationSec} s at c=${OVERLOAD_CONNECTIONS} counted after ${SETTLE_SEC} s, ${settings.rounds} rounds, medians; ` +
      `httppool listens with backlog ${BACKLOG}, the others with node's 511; ` +
      'latencies of 2xx and of 503 measured apart (autocannon response events); ' +
      'autocannon retries a 503 at once (it ignores Retry-After), so shed requests come back as fast as they are answered';
    const politeTable = markdownTable(
      [
        'server',
        `2xx/s at c=${OVERLOAD_CONNECTIONS}`,
        '% of capacity',
        '2xx p50 ms',
        '2xx p99 ms',
        '2xx p99 ÷ unloaded',
        '503/s',
      ],
      rows.map((row) => [
        row.name,
        num(row.polite?.okRps ?? Number.NaN),
        `${num(row.politeShare * 100)} %`,
        num(row.polite?.okP50 ?? Number.NaN, 1),
        num(row.polite?.okP99 ?? Number.NaN, 1),
        `${num(row.politeGrowth, 1)}×`,
        num(row.polite?.non2xxPerSec ?? Number.NaN),
      ]),
    );
    const politeTitle =
      `overload with clients that honour Retry-After (bench/lib/paced-load.ts: after a 503, a connection waits ` +
      `Retry-After before its next request), ${Math.min(short, 2)} s at c=${OVERLOAD_CONNECTIONS}`;
    const pipelinedTable = markdownTable(
      ['server', '2xx/s', '2xx ÷ node:http', '503/s', '2xx p50 ms', '2xx p99 ms', 'errors'],
      rows.map((row) => [
        row.name,
        num(row.pipelined?.okRps ?? Number.NaN),
        `${num(row.pipelinedShare, 2)}×`,
        num(row.pipelined?.non2xxPerSec ?? Number.NaN),
        num(row.pipelined?.okP50 ?? Number.NaN, 1),
        num(row.pipelined?.okP99 ?? Number.NaN, 1),
        num(row.pipelined?.errors ?? Number.NaN),
      ]),
    );
    const pipelinedTitle =
      `pipelined: GET /brief (a ${BRIEF_WAIT_MS} ms wait, no CPU), c=${PIPELINED_CONNECTIONS} -p ${PIPELINING} ` +
      `(${PIPELINED_CONNECTIONS * PIPELINING} requests in flight), ${short} s counted after ${SETTLE_SEC} s`;
    // One server at one offered rate: goodput ÷ its capacity, 2xx p99 ÷ its unloaded p99, non-2xx/s.
    const atRate = (
      name: string,
      multiple: number,
      polite: boolean,
    ): { share: number; growth: number; shed: number } => {
      const { at, share, growth } = versus(name, rateName(multiple, polite));
      return { share, growth, shed: at?.non2xxPerSec ?? Number.NaN };
    };
    const rateCells = (name: string, polite: boolean): string[] =>
      RATE_MULTIPLES.flatMap((multiple) => {
        const { share, growth, shed } = atRate(name, multiple, polite);
        return [`${num(share * 100)} %`, `${num(growth, 1)}×`, num(shed)];
      });
    const rateHeader = [
      'server',
      ...RATE_MULTIPLES.flatMap((multiple) => [
        `${multiple}×: 2xx ÷ capacity`,
        `${multiple}×: 2xx p99 ÷ unloaded`,
        `${multiple}×: 503/s`,
      ]),
    ];
    const rateTables = [false, true].map(
      (polite) =>
        `offered rates: GET /work at 1×, 2× and 4× the capacity measured in this run (median 2xx/s of the capacity runs), ` +
        `${OVERLOAD_CONNECTIONS} connections, each on its own schedule (bench/lib/paced-load.ts), ` +
        `${polite ? 'a 503 retried after its Retry-After' : 'a 503 retried at once'}; ` +
        `${short} s counted after ${SETTLE_SEC} s\n\n` +
        markdownTable(
          rateHeader,
          servers.map(({ name }) => [name, ...rateCells(name, polite)]),
        ),
    );
    const rateGoals = (name: string): string[] =>
      [false, true].flatMap((polite) =>
        RATE_MULTIPLES.flatMap((multiple) => {
          const { share, growth } = atRate(name, multiple, polite);
          const label = `${rateName(multiple, polite)}: ${name}`;
          return [
            goal(`${label} goodput ÷ its capacity`, share * 100, '≥', 90, '%'),
            goal(`${label} 2xx p99 ÷ its unloaded p99`, growth, '≤', multiple === 4 ? 3 : 5),
          ];
        }),
      );
    const goals = (row: (typeof rows)[number] | undefined): string[] => [
      goal(`overload: ${row?.name} goodput ÷ its capacity`, (row?.share ?? Number.NaN) * 100, '≥', 90, '%'),
      goal(`overload: ${row?.name} 2xx p99 ÷ its unloaded p99`, row?.growth ?? Number.NaN, '≤', 5),
      goal(
        `overload, Retry-After honoured: ${row?.name} goodput ÷ its capacity`,
        (row?.politeShare ?? Number.NaN) * 100,
        '≥',
        90,
        '%',
      ),
      goal(
        `overload, Retry-After honoured: ${row?.name} 2xx p99 ÷ its unloaded p99`,
        row?.politeGrowth ?? Number.NaN,
        '≤',
        5,
      ),
    ];
    const mine = rows.find((row) => row.name === httppool.name);
    const auto = rows.find((row) => row.name === adaptive.name);
    const others = rows.filter((row) => row !== mine && row !== auto);
    return {
      settings: { phases, workers: OVERLOAD_WORKERS, queueSize: OVERLOAD_QUEUE, backlog: BACKLOG, servers },
      summary: summaries,
      runs,
      tables: [
        ...rateTables,
        `${title}\n\n${table}`,
        `${politeTitle}\n\n${politeTable}`,
        `${pipelinedTitle}\n\n${pipelinedTable}`,
      ],
      findings: [
        ...rateGoals(adaptive.name),
        ...goals(auto),
        goal(`pipelined: ${adaptive.name} 2xx ÷ node:http's`, auto?.pipelinedShare ?? Number.NaN, '≥', 0.9),
        ...rateGoals(httppool.name),
        ...goals(mine),
        ...others.map(
          (row) =>
            `       ${row.name}: 2xx p99 ${num(row.loaded?.okP99 ?? Number.NaN)} ms at c=${OVERLOAD_CONNECTIONS} ` +
            `(${num(row.growth, 0)}× unloaded), goodput ${num(row.share * 100)} % of capacity`,
        ),
      ],
    };
  },
};
