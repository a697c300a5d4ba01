// Soak: the demo app under sustained overload, with its memory watched.
//
//   node dist/bench/soak.js [--seconds 60] [--overload 4] [--workers 10] [--queue 20]
//                           [--handler-ms 10] [--connections 200] [--lanes 20] [--warmup 5] [--settle 5]
//
// The app runs in a child process (with --expose-gc) and reports
// process.memoryUsage() every second over IPC. autocannon, here in the parent,
// offers `overload` times what the pool can serve (workers × 1000 / handler-ms
// requests per second to `GET /slow?ms=<handler-ms>`) for `seconds`. The
// baseline is the heap after a warm-up and a full collection; the verdict
// compares it with the heap after the load has drained, the app has idled for
// `settle` seconds, and another full collection: within 10 % passes.
// Not run by CI: `npm run soak`. Writes bench/results/raw/soak.json (not
// committed) and its summary, bench/results/soak.md (bench/lib/summary.ts).

import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { describeMachine } from './lib/machine';
import { commandLine, writeRawResult } from './lib/results';
import { writeSummary } from './lib/summary';
import type { MemorySample, SoakReply, SoakRequest, SoakServerConfig } from './soak/protocol';

/** The verdict's bound: heap after the load, relative to before it. */
const HEAP_TOLERANCE = 0.1;
/** How long the app may take to drain its jobs and connections after a load run. */
const DRAIN_CAP_MS = 15_000;
const MB = 1024 * 1024;

interface Settings {
  seconds: number;
  overload: number;
  workers: number;
  queue: number;
  handlerMs: number;
  connections: number;
  /** autocannon instances, staggered over each second (see `load`). */
  lanes: number;
  warmup: number;
  settle: number;
}

type Phase = 'start' | 'warm-up' | 'drain' | 'load' | 'settle';

interface Row {
  /** Seconds since the soak started. */
  t: number;
  phase: Phase;
  ok: number;
  shed: number;
  other: number;
  sample: MemorySample;
}

interface LoadRun {
  durationSec: number;
  offeredPerSec: number;
  sent: number;
  ok: number;
  shed: number;
  other: number;
  errors: number;
  timeouts: number;
  okLatencyMs: Percentiles;
  shedLatencyMs: Percentiles;
}

interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      overload: { type: 'string', default: '4' },
      workers: { type: 'string', default: '10' },
      queue: { type: 'string', default: '20' },
      'handler-ms': { type: 'string', default: '10' },
      connections: { type: 'string', default: '200' },
      lanes: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      settle: { type: 'string', default: '5' },
    },
  });
  const positive = (name: keyof typeof values): number => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value <= 0)
      throw new RangeError(`--${name} must be a positive number, got ${values[name]}`);
    return value;
  };
  return {
    seconds: positive('seconds'),
    overload: positive('overload'),
    workers: Math.round(positive('workers')),
    queue: Math.round(positive('queue')),
    handlerMs: Math.round(positive('handler-ms')),
    connections: Math.round(positive('connections')),
    lanes: Math.round(positive('lanes')),
    warmup: positive('warmup'),
    settle: positive('settle'),
  };
}

/** The server child, and what it has told us. */
class SoakServer {
  readonly rows: Row[] = [];
  phase: Phase = 'start';
  /** Responses since the last sample, by class; the load runs add to them. */
  readonly counts = { ok: 0, shed: 0, other: 0 };
  private latest: MemorySample | undefined;
  private waiters: Array<(reply: SoakReply) => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly startedAt: number,
  ) {
    child.on('message', (reply: SoakReply) => {
      if (reply.type === 'sample') this.record(reply.sample);
      for (const waiter of this.waiters.splice(0)) waiter(reply);
    });
  }

  static async start(config: SoakServerConfig): Promise<SoakServer> {
    const child = fork(path.join(__dirname, 'soak', 'server.js'), [JSON.stringify(config)], {
      execArgv: ['--expose-gc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the soak server exited early (code ${code})`)));
      child.once('message', (reply: SoakReply) => {
        if (reply.type === 'ready') resolve(reply.port);
      });
    });
    child.removeAllListeners('exit');
    return new SoakServer(child, port, performance.now());
  }

  /** A full collection in the child, then its memory. */
  async collect(): Promise<MemorySample> {
    this.send({ type: 'gc' });
    const reply = await this.next((r) => r.type === 'collected');
    return (reply as Extract<SoakReply, { type: 'collected' }>).sample;
  }

  /** Waits until no job is queued or running and every client connection is closed. */
  async drained(): Promise<void> {
    const deadline = performance.now() + DRAIN_CAP_MS;
    const idle = (s: MemorySample | undefined): boolean =>
      s !== undefined && s.stats.busy === 0 && s.stats.queued === 0 && s.connections === 0;
    // Only samples taken from now on count: the last one may be from the load.
    do {
      if (performance.now() > deadline) throw new Error(`the app did not drain: ${JSON.stringify(this.latest)}`);
      await this.next((r) => r.type === 'sample');
    } while (!idle(this.latest));
  }

  /** Lets `seconds` of idle samples come in. */
  async idle(seconds: number): Promise<void> {
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) await this.next((r) => r.type === 'sample');
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ type: 'close' });
    await exited;
  }

  private record(sample: MemorySample): void {
    this.latest = sample;
    const t = (performance.now() - this.startedAt) / 1000;
    this.rows.push({ t, phase: this.phase, ...this.counts, sample });
    Object.assign(this.counts, { ok: 0, shed: 0, other: 0 });
  }

  private send(request: SoakRequest): void {
    this.child.send(request);
  }

  private next(matches: (reply: SoakReply) => boolean): Promise<SoakReply> {
    return new Promise((resolve) => {
      const wait = (reply: SoakReply): void => {
        if (matches(reply)) resolve(reply);
        else this.waiters.push(wait);
      };
      this.waiters.push(wait);
    });
  }
}

/**
 * Offers `offeredPerSec` requests per second for `seconds`, counting answers by class.
 *
 * autocannon paces a rate by giving each connection a budget per second that
 * it spends at once, so one instance offers its whole second's load in a burst
 * at the top of each second and then idles: a pool of 30 slots would see 4,000
 * requests in a few hundred ms and then nothing, and serve a third of its
 * capacity. `lanes` instances, started 1/lanes s apart, split the load into
 * that many smaller bursts spread over the second.
 */
async function load(server: SoakServer, settings: Settings, seconds: number, offeredPerSec: number): Promise<LoadRun> {
  const okLatencies: number[] = [];
  const shedLatencies: number[] = [];
  const lanes = settings.lanes;
  const runLane = async (lane: number): Promise<autocannon.Result> => {
    await sleep((lane * 1000) / lanes);
    // Not a fresh literal, so autocannon's own option `overallRate` (missing
    // from the shared typings) passes the excess-property check.
    const options = {
      url: `http://127.0.0.1:${server.port}/slow?ms=${settings.handlerMs}`,
      connections: Math.max(1, Math.round(settings.connections / lanes)),
      duration: seconds,
      overallRate: Math.max(1, Math.round(offeredPerSec / lanes)),
      timeout: 10,
    };
    return new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(options, (error, outcome) => (error ? reject(error) : resolve(outcome)));
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
        if (statusCode === 200) {
          server.counts.ok++;
          okLatencies.push(responseTimeMs);
        } else if (statusCode === 503) {
          server.counts.shed++;
          shedLatencies.push(responseTimeMs);
        } else {
          server.counts.other++;
        }
      });
    });
  };
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: lanes }, (_, lane) => runLane(lane)));
  const durationSec = (performance.now() - started) / 1000;
  const count = (status: string): number =>
    results.reduce((sum, result) => sum + (result.statusCodeStats[status]?.count ?? 0), 0);
  const sent = results.reduce(
    (sum, result) => sum + Object.values(result.statusCodeStats).reduce((total, { count }) => total + count, 0),
    0,
  );
  const ok = count('200');
  const shed = count('503');
  return {
    durationSec,
    offeredPerSec,
    sent,
    ok,
    shed,
    other: sent - ok - shed,
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    timeouts: results.reduce((sum, result) => sum + result.timeouts, 0),
    okLatencyMs: percentiles(okLatencies),
    shedLatencyMs: percentiles(shedLatencies),
  };
}

function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] as number };
}

const loadAverage = (): string =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
const mb = (bytes: number): string => (bytes / MB).toFixed(1);
const pct = (ratio: number): string => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)} %`;

function table(rows: readonly Row[]): string {
  const header = [
    't (s)',
    'phase',
    '200/s',
    '503/s',
    'other/s',
    'heap used MB',
    'heap total MB',
    'rss MB',
    'external MB',
    'busy',
    'queued',
    'conns',
  ];
  const body = rows.map((row) => [
    row.t.toFixed(0),
    row.phase,
    String(row.ok),
    String(row.shed),
    String(row.other),
    mb(row.sample.heapUsed),
    mb(row.sample.heapTotal),
    mb(row.sample.rss),
    mb(row.sample.external),
    String(row.sample.stats.busy),
    String(row.sample.stats.queued),
    String(row.sample.connections),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => (cells[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, i) => (i === 1 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (i === 1 ? `${'-'.repeat(width + 2)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

function describeLoad(run: LoadRun, settings: Settings, capacityPerSec: number): string[] {
  const seconds = run.durationSec;
  const lat = (p: Percentiles): string =>
    `p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms, max ${p.max.toFixed(0)} ms`;
  return [
    `Offered ${run.offeredPerSec.toFixed(0)} req/s (${settings.overload}× the pool's ${capacityPerSec.toFixed(0)} req/s), ` +
      `answered ${(run.sent / seconds).toFixed(0)} req/s over ${seconds.toFixed(0)} s: ${run.sent} answers.`,
    `  200: ${run.ok} (${(run.ok / seconds).toFixed(0)} req/s, ${((run.ok / seconds / capacityPerSec) * 100).toFixed(0)} % of capacity); ${lat(run.okLatencyMs)}`,
    `  503: ${run.shed} (${((run.shed / Math.max(1, run.sent)) * 100).toFixed(0)} % shed); ${lat(run.shedLatencyMs)}`,
    `  other statuses: ${run.other}, socket errors: ${run.errors}, timeouts: ${run.timeouts}`,
  ];
}

async function main(): Promise<void> {
  const settings = readSettings();
  const machine = describeMachine();
  const capacityPerSec = (settings.workers * 1000) / settings.handlerMs;
  const offeredPerSec = capacityPerSec * settings.overload;
  const cpus = os.cpus();
  console.log(
    `Soak: ${settings.seconds} s at ${settings.overload}× overload of GET /slow?ms=${settings.handlerMs} on ` +
      `${settings.workers} workers and a queue of ${settings.queue}; ` +
      `${settings.connections} connections in ${settings.lanes} staggered autocannon lanes; ` +
      `${settings.warmup} s warm-up, ${settings.settle} s settle. ` +
      `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}; autocannon shares the machine. ` +
      `Load average at start: ${loadAverage()}${os.loadavg()[0]! > 0.5 ? ' (not quiet: req/s figures are noisy)' : ''}.\n`,
  );

  const server = await SoakServer.start({ workers: settings.workers, queueSize: settings.queue });
  let warmup: LoadRun;
  let run: LoadRun;
  let cold: MemorySample;
  let baseline: MemorySample;
  let final: MemorySample;
  try {
    cold = await server.collect();
    server.phase = 'warm-up';
    warmup = await load(server, settings, settings.warmup, offeredPerSec);
    server.phase = 'drain';
    await server.drained();
    baseline = await server.collect();
    server.phase = 'load';
    run = await load(server, settings, settings.seconds, offeredPerSec);
    server.phase = 'drain';
    await server.drained();
    server.phase = 'settle';
    await server.idle(settings.settle);
    final = await server.collect();
  } finally {
    await server.close();
  }

  const heapChange = final.heapUsed / baseline.heapUsed - 1;
  const peak = server.rows
    .filter((row) => row.phase === 'load')
    .reduce((max, row) => Math.max(max, row.sample.heapUsed), 0);
  const passed = Math.abs(heapChange) <= HEAP_TOLERANCE;
  console.log(table(server.rows));
  console.log('');
  console.log(describeLoad(run, settings, capacityPerSec).join('\n'));
  console.log(
    `Pool after the soak: ${JSON.stringify(final.stats)}; completed = the warm-up's ${warmup.ok} 200s + the load's ` +
      `${run.ok} + ${final.stats.completed - warmup.ok - run.ok} jobs that ran after autocannon, stopping, left mid-request.`,
  );
  console.log(
    `Heap used after a full GC: cold ${mb(cold.heapUsed)} MB, after warm-up (baseline) ${mb(baseline.heapUsed)} MB, ` +
      `peak during load ${mb(peak)} MB (no forced GC), after the load settled ${mb(final.heapUsed)} MB.`,
  );
  console.log(
    `RSS: baseline ${mb(baseline.rss)} MB, after ${mb(final.rss)} MB (${pct(final.rss / baseline.rss - 1)}); ` +
      `external: ${mb(baseline.external)} → ${mb(final.external)} MB.`,
  );
  console.log(
    `Verdict: heap after the load settled is ${pct(heapChange)} ` +
      `(${mb(final.heapUsed - baseline.heapUsed)} MB) from the baseline: ` +
      `${passed ? 'PASS' : 'FAIL'} (bound ±${HEAP_TOLERANCE * 100} %).`,
  );

  const result = {
    scenario: 'soak',
    command: commandLine('soak', 'dist/bench/soak.js', process.argv.slice(2)),
    date: machine.date,
    // Its load average is the one at the start.
    machine,
    loadAverageAtEnd: os.loadavg(),
    settings: { ...settings, route: `/slow?ms=${settings.handlerMs}`, capacityPerSec, offeredPerSec },
    warmup,
    load: run,
    memory: { cold, baseline, final, peakHeapUsedDuringLoad: peak, heapChange, tolerance: HEAP_TOLERANCE },
    verdict: passed ? 'pass' : 'fail',
    samples: server.rows,
  };
  const raw = writeRawResult('soak', result);
  const summary = writeSummary(result);
  console.log(`Written to ${path.relative(process.cwd(), raw)} and ${path.relative(process.cwd(), summary)}.`);
  if (!passed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
