// overload: a handler with a real bottleneck (1 ms of CPU, then a 10 ms wait),
// first unloaded and at capacity, then at 1,000 connections.
//
// Sizing httppool to the bottleneck (Little's law): 1 ms of CPU per request
// lets one core finish at most ~1,000 requests/s, and each request holds its
// worker ~11 ms, so ~11 workers keep the core busy; 16 leaves slack for
// jitter. A queue of 32 lets a burst wait at most ~32 ms more (32 requests at
// ~1,000/s), so an admitted request's latency stays within a few times the
// unloaded one; every request past that is shed with a 503 at once. The other
// servers have no bound: they accept all 1,000 connections' requests.

import { compareServers, summarize, type Phase, type ServerSummary } from '../lib/http-compare';
import { goal, type Scenario, type ScenarioContext, type ScenarioOutput } from '../lib/scenario';
import { WORK_CPU_MS, WORK_WAIT_MS } from '../servers/work';
import { markdownTable, num } from '../lib/table';
import { BASELINE, SERVERS } from './throughput';

export const OVERLOAD_WORKERS = 16;
export const OVERLOAD_QUEUE = 32;

const UNLOADED_CONNECTIONS = 4;
const CAPACITY_CONNECTIONS = 32;
const OVERLOAD_CONNECTIONS = 1000;

export const overload: Scenario = {
  name: 'overload',
  description: `GET /work: ${WORK_CPU_MS} ms of CPU then a ${WORK_WAIT_MS} ms wait; capacity, then ${OVERLOAD_CONNECTIONS} connections`,
  async run({ settings }: ScenarioContext): Promise<ScenarioOutput> {
    // Short runs for the unloaded and capacity phases: the whole suite must stay under 10 minutes.
    const short = Math.min(settings.durationSec, 2);
    const phases: Phase[] = [
      { name: 'unloaded', route: '/work', connections: UNLOADED_CONNECTIONS, durationSec: short },
      { name: 'capacity', route: '/work', connections: CAPACITY_CONNECTIONS, durationSec: short },
      { name: 'overload', route: '/work', connections: OVERLOAD_CONNECTIONS, durationSec: settings.durationSec },
      // The same 1,000 connections, but each waits out a 503's Retry-After.
      {
        name: 'overload, Retry-After honoured',
        route: '/work',
        connections: OVERLOAD_CONNECTIONS,
        // 2 s (after a 1 s ramp) keeps the whole suite under 10 minutes.
        durationSec: Math.min(short, 2),
        honourRetryAfter: true,
      },
    ];
    const httppool = {
      ...SERVERS.HTTPPOOL,
      name: `httppool (${OVERLOAD_WORKERS} workers, queue ${OVERLOAD_QUEUE})`,
      config: { workers: OVERLOAD_WORKERS, queueSize: OVERLOAD_QUEUE },
    };
    // NestJS on fastify queues like fastify and is left out here: the whole
    // suite must stay under 10 minutes, and this scenario is its longest.
    const withCodel = {
      ...SERVERS.HTTPPOOL,
      name: `httppool + codel (${OVERLOAD_WORKERS} workers, queue ${OVERLOAD_QUEUE})`,
      config: { workers: OVERLOAD_WORKERS, queueSize: OVERLOAD_QUEUE, codel: true },
    };
    // The default reads a shed connection's next request once its Retry-After has passed; this one at once.
    const readingAtOnce = {
      ...SERVERS.HTTPPOOL,
      name: `httppool, holdShedConnections: false (${OVERLOAD_WORKERS} workers, queue ${OVERLOAD_QUEUE})`,
      config: { workers: OVERLOAD_WORKERS, queueSize: OVERLOAD_QUEUE, holdShed: false },
    };
    const servers = [SERVERS.RAW, httppool, readingAtOnce, withCodel, SERVERS.FASTIFY, SERVERS.EXPRESS];
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

    const rows = servers.map(({ name }) => {
      const unloaded = find(name, 'unloaded');
      const capacity = find(name, 'capacity');
      const loaded = find(name, 'overload');
      const share = (loaded?.okRps ?? Number.NaN) / (capacity?.okRps ?? Number.NaN);
      const growth = (loaded?.okP99 ?? Number.NaN) / (unloaded?.okP99 ?? Number.NaN);
      const polite = find(name, 'overload, Retry-After honoured');
      const politeShare = (polite?.okRps ?? Number.NaN) / (capacity?.okRps ?? Number.NaN);
      const politeGrowth = (polite?.okP99 ?? Number.NaN) / (unloaded?.okP99 ?? Number.NaN);
      return { name, unloaded, capacity, loaded, share, growth, polite, politeShare, politeGrowth };
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
      `${settings.durationSec} s at c=${OVERLOAD_CONNECTIONS}, ${settings.rounds} rounds, medians; ` +
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
      `overload with clients that honour Retry-After (bench/lib/polite-load.ts: after a 503, a connection waits ` +
      `Retry-After before its next request), ${Math.min(short, 2)} s at c=${OVERLOAD_CONNECTIONS}`;
    const mine = rows.find((row) => row.name === httppool.name);
    const unbounded = rows.filter((row) => row.name !== httppool.name);
    return {
      settings: { phases, workers: OVERLOAD_WORKERS, queueSize: OVERLOAD_QUEUE, servers },
      summary: summaries,
      runs,
      tables: [`${title}\n\n${table}`, `${politeTitle}\n\n${politeTable}`],
      findings: [
        goal('overload: httppool goodput ÷ its capacity', (mine?.share ?? Number.NaN) * 100, '≥', 80, '%'),
        goal('overload: httppool 2xx p99 ÷ its unloaded p99', mine?.growth ?? Number.NaN, '≤', 10),
        goal(
          'overload, Retry-After honoured: httppool goodput ÷ its capacity',
          (mine?.politeShare ?? Number.NaN) * 100,
          '≥',
          80,
          '%',
        ),
        goal(
          'overload, Retry-After honoured: httppool 2xx p99 ÷ its unloaded p99',
          mine?.politeGrowth ?? Number.NaN,
          '≤',
          10,
        ),
        ...unbounded.map(
          (row) =>
            `       ${row.name}: 2xx p99 ${num(row.loaded?.okP99 ?? Number.NaN)} ms at c=${OVERLOAD_CONNECTIONS} ` +
            `(${num(row.growth, 0)}× unloaded), goodput ${num(row.share * 100)} % of capacity`,
        ),
      ],
    };
  },
};
