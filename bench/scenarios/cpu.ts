// cpu: a CPU-bound route (~5 ms of pbkdf2) under load, run inline on the
// event loop or on worker threads, with a /ping beside it: what it serves,
// and how long /ping waits behind it; beside node:http with piscina by hand
// and fastify inline, and the inline route in a cluster of one process per
// core. Servers alternate in each round.

import { forkChild } from '../lib/fork-child';
import { runLoad } from '../lib/load';
import { ServerProcess, type ServerSpec } from '../lib/server-process';
import { goal, type Scenario, type ScenarioContext, type ScenarioOutput } from '../lib/scenario';
import { median, ratio } from '../lib/stats';
import { markdownTable, num, times } from '../lib/table';
import { availableParallelism } from 'node:os';

const THREADS = availableParallelism();
const SERVERS: ServerSpec[] = [
  { name: 'httppool, inline', script: 'httppool-threads', config: { threads: 0 } },
  { name: `httppool, threads: ${THREADS}`, script: 'httppool-threads', config: { threads: THREADS } },
  { name: `node:http + piscina, ${THREADS} threads`, script: 'raw-threads', config: { threads: THREADS } },
  { name: 'fastify, inline', script: 'fastify-cpu' },
  {
    name: `httppool cluster, ${THREADS} processes, inline`,
    script: 'httppool-cluster',
    config: { processes: THREADS },
  },
];
const CPU_CONNECTIONS = 20;
const PING_CONNECTIONS = 1;
// A paced probe, as a health check or a user's click would be: asking as fast
// as it is answered, /ping would itself take a core from the threads.
const PING_RATE = 50;

const SPIN_MS = 2000;

/**
 * How far the cores scale on the route's work alone: pbkdf2 back to back in
 * `cores` processes at once ÷ in one, per round. Shared or hyperthreaded
 * cores make this less than `cores`, and no server can beat it.
 */
async function coreScaling(rounds: number, cores: number): Promise<number[]> {
  const ratios: number[] = [];
  const spin = (count: number): Promise<number> =>
    Promise.all(Array.from({ length: count }, () => forkChild<number>('cpu-spin', [String(SPIN_MS)]))).then((done) =>
      done.reduce((sum, one) => sum + one, 0),
    );
  for (let round = 0; round < rounds; round++) {
    const one = await spin(1);
    ratios.push(ratio(await spin(cores), one));
  }
  return ratios;
}

interface Round {
  server: string;
  round: number;
  cpuRps: number;
  cpuP99: number;
  pingP99: number;
  pingRps: number;
  /** Cores the load generator (this process: autocannon for both loads) used during the run. */
  loadCores: number;
}

export const cpu: Scenario = {
  name: 'cpu',
  description: `GET /cpu (~5 ms pbkdf2) with ${CPU_CONNECTIONS} connections and GET /ping beside it, inline or on ${THREADS} threads`,
  async run({ settings }: ScenarioContext): Promise<ScenarioOutput> {
    const scaling = await coreScaling(settings.rounds, THREADS);
    console.log(`[cpu] pbkdf2 alone in ${THREADS} processes ÷ 1: ${scaling.map((r) => r.toFixed(2)).join(', ')}×`);
    const processes = await Promise.all(SERVERS.map((spec) => ServerProcess.start(spec)));
    const runs: Round[] = [];
    try {
      for (const server of processes) {
        await runLoad({ url: server.url('/cpu'), connections: CPU_CONNECTIONS, durationSec: settings.warmupSec });
      }
      for (let round = 0; round < settings.rounds; round++) {
        const order = processes.map((_, i) => processes[(i + round) % processes.length] as ServerProcess);
        for (const server of order) {
          const cpuBefore = process.cpuUsage();
          const wallBefore = performance.now();
          const [cpu, ping] = await Promise.all([
            runLoad({ url: server.url('/cpu'), connections: CPU_CONNECTIONS, durationSec: settings.durationSec }),
            runLoad({
              url: server.url('/ping'),
              connections: PING_CONNECTIONS,
              durationSec: settings.durationSec,
              overallRate: PING_RATE,
            }),
          ]);
          const used = process.cpuUsage(cpuBefore);
          const loadCores = (used.user + used.system) / 1000 / (performance.now() - wallBefore);
          const row = {
            server: server.spec.name,
            round,
            cpuRps: cpu.okRps,
            cpuP99: cpu.okLatency.p99,
            pingP99: ping.okLatency.p99,
            pingRps: ping.okRps,
            loadCores,
          };
          runs.push(row);
          console.log(
            `[cpu] round ${round + 1}/${settings.rounds} ${row.server}: /cpu ${num(row.cpuRps)} req/s ` +
              `(p99 ${num(row.cpuP99, 1)} ms), /ping p99 ${num(row.pingP99, 2)} ms`,
          );
        }
      }
    } finally {
      await Promise.all(processes.map((server) => server.close()));
    }
    const [inline, threaded, handWritten, , clustered] = SERVERS.map((spec) => spec.name) as string[] as [
      string,
      string,
      string,
      string,
      string,
    ];
    const perRound = (pick: (r: Round) => number, of = threaded, to = inline): number[] =>
      runs
        .filter((r) => r.server === of)
        .map((r) => ratio(pick(r), pick(runs.find((o) => o.server === to && o.round === r.round) ?? r)));
    const rpsRatios = perRound((r) => r.cpuRps);
    const pingRatios = perRound((r) => r.pingP99);
    const vsHand = perRound((r) => r.cpuRps, threaded, handWritten);
    const clusterRatios = perRound((r) => r.cpuRps, clustered, inline);
    const clusterLoadCores = median(runs.filter((r) => r.server === clustered).map((r) => r.loadCores));
    const threadedPingP99 = median(runs.filter((r) => r.server === threaded).map((r) => r.pingP99));
    const summary = SERVERS.map(({ name }) => {
      const mine = runs.filter((r) => r.server === name);
      return {
        server: name,
        cpuRps: median(mine.map((r) => r.cpuRps)),
        cpuP99: median(mine.map((r) => r.cpuP99)),
        pingP99: median(mine.map((r) => r.pingP99)),
        pingRps: median(mine.map((r) => r.pingRps)),
        loadCores: median(mine.map((r) => r.loadCores)),
      };
    });
    const table = markdownTable(
      [
        'server',
        '/cpu req/s',
        '× inline',
        '/cpu p99 ms',
        '/ping p99 ms',
        '/ping p99 × inline',
        '/ping req/s',
        'load generator, cores',
      ],
      summary.map((s) => [
        s.server,
        num(s.cpuRps),
        `${times(median(perRound((r) => r.cpuRps, s.server)))}`,
        num(s.cpuP99, 1),
        num(s.pingP99, 2),
        `${median(perRound((r) => r.pingP99, s.server)).toFixed(3)}×`,
        num(s.pingRps),
        num(s.loadCores, 2),
      ]),
    );
    return {
      settings: {
        cpuConnections: CPU_CONNECTIONS,
        pingConnections: PING_CONNECTIONS,
        threads: THREADS,
        servers: SERVERS,
      },
      summary: { servers: summary, coreScaling: scaling },
      runs,
      tables: [
        `### cpu: GET /cpu (${CPU_CONNECTIONS} connections) and GET /ping (${PING_CONNECTIONS} connection, ${PING_RATE}/s) together, ${settings.durationSec} s per run, ${settings.rounds} rounds, medians; ratios are medians of per-round ratios\n\n${table}`,
      ],
      findings: [
        goal('cpu: httppool /cpu req/s on threads ÷ inline', median(rpsRatios), '≥', 1.9, '×', rpsRatios),
        goal('cpu: httppool /ping p99 beside the saturated thread route', threadedPingP99, '≤', 5, ' ms'),
        goal('cpu: httppool thread route req/s ÷ node:http + piscina', median(vsHand), '≥', 0.95, '×', vsHand),
        goal(
          `cpu: httppool cluster of ${THREADS} on the inline route ÷ one process`,
          median(clusterRatios),
          '≥',
          1.8,
          '×',
          clusterRatios,
        ),
        `cpu: the ceiling: pbkdf2 alone (no HTTP) in ${THREADS} processes at once ÷ in one = ${times(median(scaling))} ` +
          `(rounds ${times(Math.min(...scaling))}–${times(Math.max(...scaling))}); the load generator used ` +
          `${num(clusterLoadCores, 2)} of ${THREADS} cores beside the cluster`,
        `cpu: /ping p99 on threads ÷ inline = ${median(pingRatios).toFixed(3)}× (rounds ${Math.min(...pingRatios).toFixed(3)}–${Math.max(...pingRatios).toFixed(3)}×)`,
      ],
    };
  },
};
