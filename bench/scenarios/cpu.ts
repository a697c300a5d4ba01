// cpu: a CPU-bound route (~5 ms of pbkdf2) under load, run inline on the
// event loop or on worker threads, with a /ping beside it: what it serves,
// and how long /ping waits behind it; beside node:http with piscina by hand
// and fastify inline. Servers alternate in each round.

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
];
const CPU_CONNECTIONS = 20;
const PING_CONNECTIONS = 1;
// A paced probe, as a health check or a user's click would be: asking as fast
// as it is answered, /ping would itself take a core from the threads.
const PING_RATE = 50;

interface Round {
  server: string;
  round: number;
  cpuRps: number;
  cpuP99: number;
  pingP99: number;
  pingRps: number;
}

export const cpu: Scenario = {
  name: 'cpu',
  description: `GET /cpu (~5 ms pbkdf2) with ${CPU_CONNECTIONS} connections and GET /ping beside it, inline or on ${THREADS} threads`,
  async run({ settings }: ScenarioContext): Promise<ScenarioOutput> {
    const processes = await Promise.all(SERVERS.map((spec) => ServerProcess.start(spec)));
    const runs: Round[] = [];
    try {
      for (const server of processes) {
        await runLoad({ url: server.url('/cpu'), connections: CPU_CONNECTIONS, durationSec: settings.warmupSec });
      }
      for (let round = 0; round < settings.rounds; round++) {
        const order = processes.map((_, i) => processes[(i + round) % processes.length] as ServerProcess);
        for (const server of order) {
          const [cpu, ping] = await Promise.all([
            runLoad({ url: server.url('/cpu'), connections: CPU_CONNECTIONS, durationSec: settings.durationSec }),
            runLoad({
              url: server.url('/ping'),
              connections: PING_CONNECTIONS,
              durationSec: settings.durationSec,
              overallRate: PING_RATE,
            }),
          ]);
          const row = {
            server: server.spec.name,
            round,
            cpuRps: cpu.okRps,
            cpuP99: cpu.okLatency.p99,
            pingP99: ping.okLatency.p99,
            pingRps: ping.okRps,
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
    const [inline, threaded, handWritten] = SERVERS.map((spec) => spec.name) as [string, string, string];
    const perRound = (pick: (r: Round) => number, of = threaded, to = inline): number[] =>
      runs
        .filter((r) => r.server === of)
        .map((r) => ratio(pick(r), pick(runs.find((o) => o.server === to && o.round === r.round) ?? r)));
    const rpsRatios = perRound((r) => r.cpuRps);
    const pingRatios = perRound((r) => r.pingP99);
    const vsHand = perRound((r) => r.cpuRps, threaded, handWritten);
    const threadedPingP99 = median(runs.filter((r) => r.server === threaded).map((r) => r.pingP99));
    const summary = SERVERS.map(({ name }) => {
      const mine = runs.filter((r) => r.server === name);
      return {
        server: name,
        cpuRps: median(mine.map((r) => r.cpuRps)),
        cpuP99: median(mine.map((r) => r.cpuP99)),
        pingP99: median(mine.map((r) => r.pingP99)),
        pingRps: median(mine.map((r) => r.pingRps)),
      };
    });
    const table = markdownTable(
      ['server', '/cpu req/s', '× inline', '/cpu p99 ms', '/ping p99 ms', '/ping p99 × inline', '/ping req/s'],
      summary.map((s) => [
        s.server,
        num(s.cpuRps),
        `${times(median(perRound((r) => r.cpuRps, s.server)))}`,
        num(s.cpuP99, 1),
        num(s.pingP99, 2),
        `${median(perRound((r) => r.pingP99, s.server)).toFixed(3)}×`,
        num(s.pingRps),
      ]),
    );
    return {
      settings: {
        cpuConnections: CPU_CONNECTIONS,
        pingConnections: PING_CONNECTIONS,
        threads: THREADS,
        servers: SERVERS,
      },
      summary,
      runs,
      tables: [
        `### cpu: GET /cpu (${CPU_CONNECTIONS} connections) and GET /ping (${PING_CONNECTIONS} connection, ${PING_RATE}/s) together, ${settings.durationSec} s per run, ${settings.rounds} rounds, medians; ratios are medians of per-round ratios\n\n${table}`,
      ],
      findings: [
        goal('cpu: httppool /cpu req/s on threads ÷ inline', median(rpsRatios), '≥', 1.9, '×', rpsRatios),
        goal('cpu: httppool /ping p99 beside the saturated thread route', threadedPingP99, '≤', 5, ' ms'),
        goal('cpu: httppool thread route req/s ÷ node:http + piscina', median(vsHand), '≥', 0.95, '×', vsHand),
        `cpu: /ping p99 on threads ÷ inline = ${median(pingRatios).toFixed(3)}× (rounds ${Math.min(...pingRatios).toFixed(3)}–${Math.max(...pingRatios).toFixed(3)}×)`,
      ],
    };
  },
};
