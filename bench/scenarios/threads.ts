// threads: a CPU-bound route (~5 ms of pbkdf2) under load, run inline on the
// event loop or on worker threads, with a /ping beside it: what it serves,
// and how long /ping waits behind it. Alternating in each round.

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
];
const CPU_CONNECTIONS = 20;
const PING_CONNECTIONS = 1;

interface Round {
  server: string;
  round: number;
  cpuRps: number;
  cpuP99: number;
  pingP99: number;
  pingRps: number;
}

export const threads: Scenario = {
  name: 'threads',
  description: `GET /cpu (~5 ms pbkdf2) with ${CPU_CONNECTIONS} connections and GET /ping beside it, inline or on ${THREADS} threads`,
  async run({ settings }: ScenarioContext): Promise<ScenarioOutput> {
    const processes = await Promise.all(SERVERS.map((spec) => ServerProcess.start(spec)));
    const runs: Round[] = [];
    try {
      for (const server of processes) {
        await runLoad({ url: server.url('/cpu'), connections: CPU_CONNECTIONS, durationSec: settings.warmupSec });
      }
      for (let round = 0; round < settings.rounds; round++) {
        for (const server of round % 2 === 0 ? processes : [...processes].reverse()) {
          const [cpu, ping] = await Promise.all([
            runLoad({ url: server.url('/cpu'), connections: CPU_CONNECTIONS, durationSec: settings.durationSec }),
            runLoad({ url: server.url('/ping'), connections: PING_CONNECTIONS, durationSec: settings.durationSec }),
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
            `[threads] round ${round + 1}/${settings.rounds} ${row.server}: /cpu ${num(row.cpuRps)} req/s ` +
              `(p99 ${num(row.cpuP99, 1)} ms), /ping p99 ${num(row.pingP99, 2)} ms`,
          );
        }
      }
    } finally {
      await Promise.all(processes.map((server) => server.close()));
    }
    const [inline, threaded] = SERVERS.map((spec) => spec.name) as [string, string];
    const perRound = (pick: (r: Round) => number): number[] =>
      runs
        .filter((r) => r.server === threaded)
        .map((r) => ratio(pick(r), pick(runs.find((o) => o.server === inline && o.round === r.round) ?? r)));
    const rpsRatios = perRound((r) => r.cpuRps);
    const pingRatios = perRound((r) => r.pingP99);
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
        s.server === inline
          ? '1.00×'
          : `${times(median(rpsRatios))} (${num(Math.min(...rpsRatios), 2)}–${num(Math.max(...rpsRatios), 2)})`,
        num(s.cpuP99, 1),
        num(s.pingP99, 2),
        s.server === inline
          ? '1.00×'
          : `${median(pingRatios).toFixed(3)}× (${Math.min(...pingRatios).toFixed(3)}–${Math.max(...pingRatios).toFixed(3)})`,
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
        `### threads: GET /cpu (${CPU_CONNECTIONS} connections) and GET /ping (${PING_CONNECTIONS}) together, ${settings.durationSec} s per run, ${settings.rounds} rounds, medians; ratios are medians of per-round ratios\n\n${table}`,
      ],
      findings: [
        goal('threads: /cpu req/s on threads ÷ inline', median(rpsRatios), '≥', 1.5, '×', rpsRatios),
        goal('threads: /ping p99 on threads ÷ inline', median(pingRatios), '≤', 0.1, '×', pingRatios),
        'Reading: on 2 cores autocannon takes one; the threads share the rest with the event loop, so /cpu gains only the spare cycles, while /ping no longer waits behind the CPU work.',
      ],
    };
  },
};
